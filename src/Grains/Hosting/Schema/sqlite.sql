-- =====================================================================================
-- Orleans 10.4.2 ADO.NET providers on SQLite (Microsoft.Data.Sqlite, invariant "System.Data.SQLite")
--   * Microsoft.Orleans.Clustering.AdoNet  (membership + gateway list)
--   * Microsoft.Orleans.Persistence.AdoNet (grain storage)
--
-- Written for this project from the provider contract; Orleans ships no SQLite clustering script.
-- Idempotent: safe to run at every start-up (CREATE ... IF NOT EXISTS, INSERT OR REPLACE).
-- Contains no BEGIN/COMMIT, so the caller may run it inside its own transaction or not.
-- Run "PRAGMA journal_mode=WAL;" separately (it cannot run inside a transaction).
--
-- Contract notes (checked against the 10.4.2 assemblies):
--  * Orleans loads every row of OrleansQuery by QueryKey at start-up and fails with
--    "Not all required queries found. Missing are: ..." if a required key is absent.
--    Note the spelling "UpdateIAmAlivetimeKey" (lower-case 't').
--  * Parameters are bound by name (@Name). Microsoft.Data.Sqlite rejects a query that
--    references a parameter Orleans did not supply, so each query uses only its own set.
--  * DateTime parameters are bound by Microsoft.Data.Sqlite as TEXT
--    'yyyy-MM-dd HH:mm:ss.FFFFFFF' (UTC values from Orleans, no zone suffix). Orleans reads
--    them with GetDateTime() (parses the text) and marks them UTC, so ticks round-trip exactly.
--    That format sorts correctly as text, so <, =, MAX() work on the TEXT columns directly.
--    Never store server-side timestamps into the columns Orleans reads back.
--  * Every write is one SQL statement (SQLite takes the write lock at the start of a write
--    statement), so the check and the write are atomic without BEGIN/COMMIT in the query
--    text. The membership table version is bumped by triggers on the membership table.
-- =====================================================================================

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  TEXT NOT NULL PRIMARY KEY,
    QueryText TEXT NOT NULL
);

-- -------------------------------------------------------------------------------------
-- Clustering (membership)
-- -------------------------------------------------------------------------------------

-- One row per cluster (DeploymentId = ClusterOptions.ClusterId). Version is the table etag
-- that Orleans' optimistic concurrency is built on.
CREATE TABLE IF NOT EXISTS OrleansMembershipVersionTable
(
    DeploymentId TEXT    NOT NULL PRIMARY KEY,
    Timestamp    TEXT    NOT NULL,               -- informational only
    Version      INTEGER NOT NULL DEFAULT 0
);

-- One row per silo incarnation (address, port, generation).
CREATE TABLE IF NOT EXISTS OrleansMembershipTable
(
    DeploymentId TEXT    NOT NULL,
    Address      TEXT    NOT NULL,
    Port         INTEGER NOT NULL,
    Generation   INTEGER NOT NULL,
    SiloName     TEXT    NOT NULL,
    HostName     TEXT    NOT NULL,
    Status       INTEGER NOT NULL,                -- Orleans SiloStatus: 3 = Active, 6 = Dead
    ProxyPort    INTEGER NOT NULL DEFAULT 0,      -- gateway port, 0 = not a gateway
    SuspectTimes TEXT    NULL,                    -- 'silo,date|silo,date', formatted by Orleans
    StartTime    TEXT    NOT NULL,                -- DateTime bound by Microsoft.Data.Sqlite
    IAmAliveTime TEXT    NOT NULL,                -- DateTime bound by Microsoft.Data.Sqlite
    PRIMARY KEY (DeploymentId, Address, Port, Generation),
    FOREIGN KEY (DeploymentId) REFERENCES OrleansMembershipVersionTable (DeploymentId)
);

-- Table-version bump. A membership INSERT, or an UPDATE that sets Status/SuspectTimes
-- (only UpdateMembershipKey does), moves the cluster's Version forward in the same
-- statement as the row write. IAmAlive updates set only IAmAliveTime and do not fire it;
-- deletes (defunct-silo cleanup) do not advance the version either.
CREATE TRIGGER IF NOT EXISTS OrleansMembershipTable_BumpVersion_Insert
AFTER INSERT ON OrleansMembershipTable
FOR EACH ROW
BEGIN
    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1,
        Timestamp = strftime('%Y-%m-%d %H:%M:%f', 'now')
    WHERE DeploymentId = NEW.DeploymentId;
END;

CREATE TRIGGER IF NOT EXISTS OrleansMembershipTable_BumpVersion_Update
AFTER UPDATE OF Status, SuspectTimes ON OrleansMembershipTable
FOR EACH ROW
BEGIN
    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1,
        Timestamp = strftime('%Y-%m-%d %H:%M:%f', 'now')
    WHERE DeploymentId = NEW.DeploymentId;
END;

-- -------------------------------------------------------------------------------------
-- Grain storage
-- -------------------------------------------------------------------------------------

-- A grain state row is identified by ServiceId + grain type + grain key (N0, N1, extension).
-- GrainIdHash/GrainTypeHash are int hashes computed by Orleans, used only to find rows
-- quickly; every query also compares the full identity so hash collisions never mix rows.
CREATE TABLE IF NOT EXISTS OrleansStorage
(
    GrainIdHash            INTEGER NOT NULL,
    GrainIdN0              INTEGER NOT NULL,
    GrainIdN1              INTEGER NOT NULL,
    GrainTypeHash          INTEGER NOT NULL,
    GrainTypeString        TEXT    NOT NULL,
    GrainIdExtensionString TEXT    NULL,          -- key extension, or the whole key for string keys
    ServiceId              TEXT    NOT NULL,
    PayloadBinary          BLOB    NULL,          -- NULL after ClearStateAsync (row kept, version bumped)
    ModifiedOn             TEXT    NOT NULL,      -- informational only
    Version                INTEGER NULL           -- the grain state etag
);

-- Unique on the full identity. NULLs are distinct in SQLite unique indexes, so the nullable
-- extension is indexed as (IS NULL, IFNULL(..)) which tells NULL and '' apart.
CREATE UNIQUE INDEX IF NOT EXISTS IX_OrleansStorage_Identity ON OrleansStorage
(
    GrainIdHash, GrainTypeHash, ServiceId, GrainIdN0, GrainIdN1, GrainTypeString,
    GrainIdExtensionString IS NULL, IFNULL(GrainIdExtensionString, '')
);

-- -------------------------------------------------------------------------------------
-- Clustering queries
-- -------------------------------------------------------------------------------------

-- Params: @DeploymentId. Returns one row, one column: 1 if the version row was created, else 0.
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('InsertMembershipVersionKey', '
INSERT INTO OrleansMembershipVersionTable (DeploymentId, Timestamp, Version)
VALUES (@DeploymentId, strftime(''%Y-%m-%d %H:%M:%f'', ''now''), 0)
ON CONFLICT (DeploymentId) DO NOTHING;
SELECT changes() AS RowsAffected;
');

-- Params: @DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status,
--         @ProxyPort, @StartTime, @IAmAliveTime, @Version (expected table version).
-- Inserts only if the table version still equals @Version and the silo row is new; the
-- insert trigger bumps the version atomically. Returns one row, one column: 1 or 0.
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('InsertMembershipKey', '
INSERT INTO OrleansMembershipTable
    (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, SuspectTimes, StartTime, IAmAliveTime)
SELECT
    @DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, NULL, @StartTime, @IAmAliveTime
WHERE EXISTS (
        SELECT 1 FROM OrleansMembershipVersionTable
        WHERE DeploymentId = @DeploymentId AND Version = @Version AND Version < 2147483647)
    AND NOT EXISTS (
        SELECT 1 FROM OrleansMembershipTable
        WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation);
SELECT changes() AS RowsAffected;
');

-- Params: @DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes, @IAmAliveTime,
--         @Version (expected table version).
-- Updates only if the table version still equals @Version; the update trigger bumps the
-- version atomically. IAmAliveTime never moves backwards. Returns one row, one column: 1 or 0.
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpdateMembershipKey', '
UPDATE OrleansMembershipTable
SET Status = @Status,
    SuspectTimes = @SuspectTimes,
    IAmAliveTime = MAX(IAmAliveTime, @IAmAliveTime)
WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation
    AND EXISTS (
        SELECT 1 FROM OrleansMembershipVersionTable
        WHERE DeploymentId = @DeploymentId AND Version = @Version AND Version < 2147483647);
SELECT changes() AS RowsAffected;
');

-- Params: @DeploymentId, @Address, @Port, @Generation, @IAmAliveTime. Result not read.
-- Does not change the table version.
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpdateIAmAlivetimeKey', '
UPDATE OrleansMembershipTable
SET IAmAliveTime = MAX(IAmAliveTime, @IAmAliveTime)
WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation;
');

-- Params: @DeploymentId, @Address, @Port, @Generation.
-- Always returns the version row (LEFT JOIN) so Orleans gets the table version even when
-- the silo has no row yet (then the member columns are NULL, StartTime NULL = "no entry").
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('MembershipReadRowKey', '
SELECT
    v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status,
    m.ProxyPort, m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable AS v
LEFT JOIN OrleansMembershipTable AS m
    ON m.DeploymentId = v.DeploymentId
    AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
WHERE v.DeploymentId = @DeploymentId;
');

-- Params: @DeploymentId. One row per silo (or one all-NULL member row), each with Version.
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('MembershipReadAllKey', '
SELECT
    v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status,
    m.ProxyPort, m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable AS v
LEFT JOIN OrleansMembershipTable AS m ON m.DeploymentId = v.DeploymentId
WHERE v.DeploymentId = @DeploymentId;
');

-- Params: @DeploymentId, @Status (always 3 = Active). Columns: Address, ProxyPort, Generation.
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('GatewaysQueryKey', '
SELECT Address, ProxyPort, Generation
FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND Status = @Status AND ProxyPort > 0;
');

-- Params: @DeploymentId. Removes the whole cluster (members first, then the version row).
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteMembershipTableEntriesKey', '
DELETE FROM OrleansMembershipTable WHERE DeploymentId = @DeploymentId;
DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId;
');

-- Required key, bulk fallback. 10.4.2 only runs it when CleanupDefunctSiloEntryKey is absent.
-- Params: @DeploymentId, @IAmAliveTime (cut-off, UTC). Deletes Dead silos older than the cut-off.
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('CleanupDefunctSiloEntriesKey', '
DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId
    AND Status = 6
    AND IAmAliveTime < @IAmAliveTime
    AND StartTime < @IAmAliveTime;
');

-- Optional key, preferred by 10.4.2: Orleans reads all rows, picks Dead silos older than the
-- cut-off itself, then deletes each one only if the row is unchanged since it was read.
-- Params: @DeploymentId, @Address, @Port, @Generation, @SuspectTimes, @StartTime, @IAmAliveTime.
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('CleanupDefunctSiloEntryKey', '
DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation
    AND Status = 6
    AND StartTime = @StartTime
    AND IAmAliveTime = @IAmAliveTime
    AND IFNULL(SuspectTimes, '''') = IFNULL(@SuspectTimes, '''');
');

-- -------------------------------------------------------------------------------------
-- Grain storage queries. All get: @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash,
-- @GrainTypeString, @GrainIdExtensionString (may be NULL), @ServiceId; writes also get
-- @GrainStateVersion (the grain's etag, NULL if it has none) and @PayloadBinary.
-- -------------------------------------------------------------------------------------

-- Returns at most one row: PayloadBinary, Version. No row = state never written.
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadFromStorageKey', '
SELECT PayloadBinary, Version
FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
    AND ServiceId = @ServiceId
    AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
    AND GrainTypeString = @GrainTypeString
    AND GrainIdExtensionString IS @GrainIdExtensionString;
');

-- Optimistic concurrency. With an etag: update only if Version still equals it. Without an
-- etag: insert only if no row exists. Exactly one row NewGrainStateVersion on success, no
-- row at all on conflict (Orleans then throws InconsistentStateException).
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('WriteToStorageKey', '
UPDATE OrleansStorage
SET PayloadBinary = @PayloadBinary,
    ModifiedOn = strftime(''%Y-%m-%d %H:%M:%f'', ''now''),
    Version = Version + 1
WHERE @GrainStateVersion IS NOT NULL
    AND GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
    AND ServiceId = @ServiceId
    AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
    AND GrainTypeString = @GrainTypeString
    AND GrainIdExtensionString IS @GrainIdExtensionString
    AND Version = @GrainStateVersion
RETURNING Version AS NewGrainStateVersion;

INSERT INTO OrleansStorage
    (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString,
     ServiceId, PayloadBinary, ModifiedOn, Version)
SELECT
    @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString,
    @ServiceId, @PayloadBinary, strftime(''%Y-%m-%d %H:%M:%f'', ''now''), 1
WHERE @GrainStateVersion IS NULL
    AND NOT EXISTS (
        SELECT 1 FROM OrleansStorage
        WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
            AND ServiceId = @ServiceId
            AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
            AND GrainTypeString = @GrainTypeString
            AND GrainIdExtensionString IS @GrainIdExtensionString)
RETURNING Version AS NewGrainStateVersion;
');

-- ClearStateAsync (default, DeleteStateOnClear = false): keep the row, drop the payload,
-- bump the version. One row (new version) on success, no row on conflict.
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('ClearStorageKey', '
UPDATE OrleansStorage
SET PayloadBinary = NULL,
    ModifiedOn = strftime(''%Y-%m-%d %H:%M:%f'', ''now''),
    Version = Version + 1
WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
    AND ServiceId = @ServiceId
    AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
    AND GrainTypeString = @GrainTypeString
    AND GrainIdExtensionString IS @GrainIdExtensionString
    AND Version = @GrainStateVersion
RETURNING Version AS NewGrainStateVersion;
');

-- Optional: ClearStateAsync with DeleteStateOnClear = true. Deletes the row; returns the
-- deleted version + 1 (must differ from the etag) on success, no row on conflict.
INSERT OR REPLACE INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteStorageKey', '
DELETE FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
    AND ServiceId = @ServiceId
    AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
    AND GrainTypeString = @GrainTypeString
    AND GrainIdExtensionString IS @GrainIdExtensionString
    AND Version = @GrainStateVersion
RETURNING Version + 1 AS NewGrainStateVersion;
');
