// Every class starts PostgreSQL and several .NET processes: running them side by side on a small
// machine would only make each slower and flakier.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
