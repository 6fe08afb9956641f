-- =====================================================================================
-- Orleans 10.4.2 ADO.NET providers on PostgreSQL (Npgsql, invariant "Npgsql")
--   * Microsoft.Orleans.Clustering.AdoNet  (membership + gateway list)
--   * Microsoft.Orleans.Persistence.AdoNet (grain storage)
--
-- Written for this project from the provider contract (same design as sqlite.sql).
-- Idempotent: safe to run at every start-up (IF NOT EXISTS, CREATE OR REPLACE FUNCTION,
-- INSERT ... ON CONFLICT (QueryKey) DO UPDATE). Works via psql or one NpgsqlCommand.
--
-- Contract notes (checked against the 10.4.2 assemblies):
--  * Orleans loads OrleansQuery by QueryKey; required keys missing => start-up fails with
--    "Not all required queries found. Missing are: ...". Note "UpdateIAmAlivetimeKey".
--  * Npgsql parameter types: strings -> text, int -> integer, long -> bigint,
--    byte[] -> bytea, DateTime (Orleans sets DbType.DateTime) -> timestamptz. Orleans passes
--    UTC DateTimes, so timestamptz columns are exact whatever the server TimeZone is.
--  * Unquoted identifiers fold to lower case; Npgsql resolves Orleans' GetOrdinal("Version")
--    etc. case-insensitively, so the result column names below work as written.
--  * Each write is a single statement or a function with an exception block, so nothing is
--    left half-done. If a function signature is ever changed, DROP the old one first
--    (CREATE OR REPLACE with a different argument list adds an overload).
-- =====================================================================================

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) NOT NULL,
    QueryText text        NOT NULL,
    CONSTRAINT PK_OrleansQuery PRIMARY KEY (QueryKey)
);

-- -------------------------------------------------------------------------------------
-- Clustering (membership)
-- -------------------------------------------------------------------------------------

-- One row per cluster (DeploymentId = ClusterOptions.ClusterId); Version is the table etag.
CREATE TABLE IF NOT EXISTS OrleansMembershipVersionTable
(
    DeploymentId varchar(150) NOT NULL,
    Timestamp    timestamptz  NOT NULL DEFAULT now(),   -- informational only
    Version      integer      NOT NULL DEFAULT 0,
    CONSTRAINT PK_OrleansMembershipVersionTable PRIMARY KEY (DeploymentId)
);

-- One row per silo incarnation (address, port, generation).
CREATE TABLE IF NOT EXISTS OrleansMembershipTable
(
    DeploymentId varchar(150) NOT NULL,
    Address      varchar(45)  NOT NULL,
    Port         integer      NOT NULL,
    Generation   integer      NOT NULL,
    SiloName     text         NOT NULL,
    HostName     text         NOT NULL,
    Status       integer      NOT NULL,              -- SiloStatus: 3 = Active, 6 = Dead
    ProxyPort    integer      NOT NULL DEFAULT 0,    -- 0 = not a gateway
    SuspectTimes text         NULL,                  -- 'silo,date|silo,date', formatted by Orleans
    StartTime    timestamptz  NOT NULL,
    IAmAliveTime timestamptz  NOT NULL,
    CONSTRAINT PK_OrleansMembershipTable PRIMARY KEY (DeploymentId, Address, Port, Generation),
    CONSTRAINT FK_OrleansMembershipTable_Version FOREIGN KEY (DeploymentId)
        REFERENCES OrleansMembershipVersionTable (DeploymentId)
);

-- Insert a silo row only if the table version still equals p_version; bump the version in
-- the same transaction. Returns 1 on success, 0 on a version mismatch or an existing row
-- (the exception block rolls the version bump back).
CREATE OR REPLACE FUNCTION orleans_membership_insert(
    p_deployment_id  text,
    p_address        text,
    p_port           integer,
    p_generation     integer,
    p_silo_name      text,
    p_host_name      text,
    p_status         integer,
    p_proxy_port     integer,
    p_start_time     timestamptz,
    p_i_am_alive     timestamptz,
    p_version        integer)
RETURNS integer
LANGUAGE plpgsql
AS $fn$
BEGIN
    BEGIN
        -- Locks the version row: all membership writers of the cluster are serialized here.
        UPDATE OrleansMembershipVersionTable
        SET Version = Version + 1, Timestamp = now()
        WHERE DeploymentId = p_deployment_id
          AND Version = p_version
          AND Version < 2147483647;
        IF NOT FOUND THEN
            RETURN 0;
        END IF;

        INSERT INTO OrleansMembershipTable
            (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort,
             SuspectTimes, StartTime, IAmAliveTime)
        VALUES
            (p_deployment_id, p_address, p_port, p_generation, p_silo_name, p_host_name, p_status,
             p_proxy_port, NULL, p_start_time, p_i_am_alive);
        RETURN 1;
    EXCEPTION WHEN unique_violation THEN
        RETURN 0;
    END;
END
$fn$;

-- Update a silo row only if the table version still equals p_version; bump the version in
-- the same transaction. IAmAliveTime never moves backwards. Returns 1 or 0 (0 also when the
-- silo row does not exist; the version bump is then rolled back).
CREATE OR REPLACE FUNCTION orleans_membership_update(
    p_deployment_id  text,
    p_address        text,
    p_port           integer,
    p_generation     integer,
    p_status         integer,
    p_suspect_times  text,
    p_i_am_alive     timestamptz,
    p_version        integer)
RETURNS integer
LANGUAGE plpgsql
AS $fn$
BEGIN
    BEGIN
        UPDATE OrleansMembershipVersionTable
        SET Version = Version + 1, Timestamp = now()
        WHERE DeploymentId = p_deployment_id
          AND Version = p_version
          AND Version < 2147483647;
        IF NOT FOUND THEN
            RETURN 0;
        END IF;

        UPDATE OrleansMembershipTable
        SET Status = p_status,
            SuspectTimes = p_suspect_times,
            IAmAliveTime = GREATEST(IAmAliveTime, p_i_am_alive)
        WHERE DeploymentId = p_deployment_id
          AND Address = p_address AND Port = p_port AND Generation = p_generation;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'orleans membership row not found' USING ERRCODE = 'ORL01';
        END IF;
        RETURN 1;
    EXCEPTION WHEN SQLSTATE 'ORL01' THEN
        RETURN 0;
    END;
END
$fn$;

-- -------------------------------------------------------------------------------------
-- Grain storage
-- -------------------------------------------------------------------------------------

-- Identity = ServiceId + GrainTypeString + (GrainIdN0, GrainIdN1, GrainIdExtensionString).
-- The two int hashes (computed by Orleans) only speed up lookups; queries always compare
-- the full identity, so hash collisions never mix rows.
CREATE TABLE IF NOT EXISTS OrleansStorage
(
    GrainIdHash            integer      NOT NULL,
    GrainIdN0              bigint       NOT NULL,
    GrainIdN1              bigint       NOT NULL,
    GrainTypeHash          integer      NOT NULL,
    GrainTypeString        text         NOT NULL,
    GrainIdExtensionString text         NULL,    -- key extension, or the whole key for string keys
    ServiceId              varchar(150) NOT NULL,
    PayloadBinary          bytea        NULL,    -- NULL after ClearStateAsync (row kept)
    ModifiedOn             timestamptz  NOT NULL DEFAULT now(),
    Version                integer      NULL     -- the grain state etag
);

-- Enforces one row per identity (also against two concurrent first writes). The long text
-- parts go in as md5() to stay far below the btree row-size limit; md5 output is 32 hex
-- chars, so the '' used for a NULL extension cannot collide with a real value.
CREATE UNIQUE INDEX IF NOT EXISTS IX_OrleansStorage_Identity ON OrleansStorage
(
    GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, ServiceId,
    md5(GrainTypeString), COALESCE(md5(GrainIdExtensionString), '')
);

-- -------------------------------------------------------------------------------------
-- Queries
-- -------------------------------------------------------------------------------------

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES

-- Params: @DeploymentId. One row, one column: 1 if the version row was created, else 0.
('InsertMembershipVersionKey', $q$
WITH inserted AS (
    INSERT INTO OrleansMembershipVersionTable (DeploymentId)
    VALUES (@DeploymentId)
    ON CONFLICT (DeploymentId) DO NOTHING
    RETURNING 1)
SELECT count(*)::integer AS RowsAffected FROM inserted;
$q$),

-- Params: @DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status,
-- @ProxyPort, @StartTime, @IAmAliveTime, @Version. One row, one column: 1 or 0.
('InsertMembershipKey', $q$
SELECT orleans_membership_insert(@DeploymentId, @Address, @Port, @Generation, @SiloName,
    @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version) AS RowsAffected;
$q$),

-- Params: @DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes,
-- @IAmAliveTime, @Version. One row, one column: 1 or 0.
('UpdateMembershipKey', $q$
SELECT orleans_membership_update(@DeploymentId, @Address, @Port, @Generation, @Status,
    @SuspectTimes, @IAmAliveTime, @Version) AS RowsAffected;
$q$),

-- Params: @DeploymentId, @Address, @Port, @Generation, @IAmAliveTime. Result not read;
-- does not change the table version.
('UpdateIAmAlivetimeKey', $q$
UPDATE OrleansMembershipTable
SET IAmAliveTime = GREATEST(IAmAliveTime, @IAmAliveTime)
WHERE DeploymentId = @DeploymentId
  AND Address = @Address AND Port = @Port AND Generation = @Generation;
$q$),

-- Params: @DeploymentId, @Address, @Port, @Generation. Always returns the version row
-- (LEFT JOIN); member columns are NULL when the silo has no row.
('MembershipReadRowKey', $q$
SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status,
       m.ProxyPort, m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable AS v
LEFT JOIN OrleansMembershipTable AS m
       ON m.DeploymentId = v.DeploymentId
      AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
WHERE v.DeploymentId = @DeploymentId;
$q$),

-- Params: @DeploymentId.
('MembershipReadAllKey', $q$
SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status,
       m.ProxyPort, m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable AS v
LEFT JOIN OrleansMembershipTable AS m ON m.DeploymentId = v.DeploymentId
WHERE v.DeploymentId = @DeploymentId;
$q$),

-- Params: @DeploymentId, @Status (3 = Active). Columns: Address, ProxyPort, Generation.
('GatewaysQueryKey', $q$
SELECT Address, ProxyPort, Generation
FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND Status = @Status AND ProxyPort > 0;
$q$),

-- Params: @DeploymentId. Removes the whole cluster.
('DeleteMembershipTableEntriesKey', $q$
DELETE FROM OrleansMembershipTable WHERE DeploymentId = @DeploymentId;
DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId;
$q$),

-- Required bulk fallback (10.4.2 uses it only when CleanupDefunctSiloEntryKey is absent).
-- Params: @DeploymentId, @IAmAliveTime (cut-off).
('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId
  AND Status = 6
  AND IAmAliveTime < @IAmAliveTime
  AND StartTime < @IAmAliveTime;
$q$),

-- Optional, preferred by 10.4.2: delete one Dead silo only if unchanged since Orleans read it.
-- Params: @DeploymentId, @Address, @Port, @Generation, @SuspectTimes, @StartTime, @IAmAliveTime.
('CleanupDefunctSiloEntryKey', $q$
DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId
  AND Address = @Address AND Port = @Port AND Generation = @Generation
  AND Status = 6
  AND StartTime = @StartTime
  AND IAmAliveTime = @IAmAliveTime
  AND COALESCE(SuspectTimes, '') = COALESCE(@SuspectTimes, '');
$q$),

-- Storage: all get @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
-- @GrainIdExtensionString (may be NULL), @ServiceId; writes add @GrainStateVersion (etag or
-- NULL) and @PayloadBinary.

-- At most one row: PayloadBinary, Version.
('ReadFromStorageKey', $q$
SELECT PayloadBinary, Version
FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
  AND ServiceId = @ServiceId
  AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString;
$q$),

-- With an etag: update only if Version still equals it. Without: insert only if no row
-- exists. One row NewGrainStateVersion on success, no row on conflict.
('WriteToStorageKey', $q$
WITH updated AS (
    UPDATE OrleansStorage
    SET PayloadBinary = @PayloadBinary, ModifiedOn = now(), Version = Version + 1
    WHERE @GrainStateVersion IS NOT NULL
      AND GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
      AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
      AND ServiceId = @ServiceId
      AND GrainTypeString = @GrainTypeString
      AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
      AND Version = @GrainStateVersion
    RETURNING Version),
inserted AS (
    INSERT INTO OrleansStorage
        (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString,
         ServiceId, PayloadBinary, ModifiedOn, Version)
    SELECT @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString,
           @ServiceId, @PayloadBinary, now(), 1
    WHERE @GrainStateVersion IS NULL
    ON CONFLICT DO NOTHING
    RETURNING Version)
SELECT Version AS NewGrainStateVersion FROM updated
UNION ALL
SELECT Version AS NewGrainStateVersion FROM inserted;
$q$),

-- ClearStateAsync (DeleteStateOnClear = false): keep the row, drop the payload, bump the
-- version. One row (new version) on success, no row on conflict.
('ClearStorageKey', $q$
UPDATE OrleansStorage
SET PayloadBinary = NULL, ModifiedOn = now(), Version = Version + 1
WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
  AND ServiceId = @ServiceId
  AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
  AND Version = @GrainStateVersion
RETURNING Version AS NewGrainStateVersion;
$q$),

-- Optional: ClearStateAsync with DeleteStateOnClear = true. Returns deleted version + 1.
('DeleteStorageKey', $q$
DELETE FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
  AND ServiceId = @ServiceId
  AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
  AND Version = @GrainStateVersion
RETURNING Version + 1 AS NewGrainStateVersion;
$q$)

ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
