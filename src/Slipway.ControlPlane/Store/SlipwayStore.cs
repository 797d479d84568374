using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Slipway.ControlPlane.Store;

/// <summary>
/// The durable state of the control plane (docs/architecture.md §2): one SQLite file, <c>$SLIPWAY_HOME/slipway.db</c>.
/// Every state transition is one method running one transaction that also appends its journal event;
/// subscribers of <see cref="EventAppended"/> see the event after it is committed, in sequence order.
/// </summary>
/// <remarks>
/// One connection guarded by a lock: writes are rare and short, and one writer per process keeps SQLite's
/// locking simple. A second process on the same file (self-deploy follower) is safe thanks to WAL and busy_timeout.
/// </remarks>
internal sealed partial class SlipwayStore : IDisposable
{
    public const string FileName = "slipway.db";

    private const int BusyTimeoutMs = 5000;
    private const int SqliteNotADatabase = 26;
    private const int SqliteCorrupt = 11;
    private const int SqliteConstraint = 19;

    private readonly SqliteConnection _connection;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private bool _disposed;

    private SlipwayStore(string path, SqliteConnection connection, TimeProvider time)
    {
        Path = path;
        _connection = connection;
        _time = time;
    }

    /// <summary>Raised after each committed event, under the store's lock and in seq order: keep handlers short.</summary>
    public event Action<StoreEvent>? EventAppended;

    public string Path { get; }

    /// <summary>
    /// Masks known secret values (set once the secrets service exists, which needs the store first). Applied to every
    /// journal event's data and to deployments' error summaries as they are written.
    /// </summary>
    public Func<string, string>? Redaction { get; set; }

    /// <summary>Default database path under a Slipway home directory.</summary>
    public static string PathIn(string home) => System.IO.Path.Combine(home, FileName);

    /// <summary>
    /// Opens (creating if absent) the store and applies pending migrations. A file that is not a readable
    /// Slipway database, or one written by a newer Slipway, raises <see cref="StoreException"/> and is left as it was.
    /// </summary>
    public static SlipwayStore Open(string path, TimeProvider? time = null)
    {
        var full = System.IO.Path.GetFullPath(path);
        var directory = System.IO.Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // One long-lived connection per store; pooling would keep the file open after Dispose.
            Pooling = false,
            ForeignKeys = true,
            DefaultTimeout = BusyTimeoutMs / 1000,
        };

        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            // Reading the schema forces SQLite to validate the file header before anything is written.
            ExecuteRaw(connection, "SELECT count(*) FROM sqlite_master");
            // A truncated file can still have a readable first page; check every page before trusting it.
            // Read-only and proportional to the store's size, which stays small.
            using (var check = connection.CreateCommand())
            {
                check.CommandText = "PRAGMA quick_check";
                var verdict = Convert.ToString(check.ExecuteScalar(), CultureInfo.InvariantCulture);
                if (verdict != "ok")
                {
                    throw new SqliteException($"quick_check: {verdict}", SqliteCorrupt);
                }
            }

            ExecuteRaw(connection, "PRAGMA journal_mode = WAL");
            // FULL: in WAL mode NORMAL may lose the last commits on power loss. Slipway acts on a transition
            // (starts a process, swaps a route) right after committing it, so a lost commit would leave the
            // world ahead of the journal. Deploy transitions are rare; an fsync each is cheap.
            ExecuteRaw(connection, "PRAGMA synchronous = FULL");
            ExecuteRaw(connection, $"PRAGMA busy_timeout = {BusyTimeoutMs.ToString(CultureInfo.InvariantCulture)}");
            ExecuteRaw(connection, "PRAGMA foreign_keys = ON");
            var store = new SlipwayStore(full, connection, time ?? TimeProvider.System);
            store.Migrate();
            return store;
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SqliteNotADatabase or SqliteCorrupt)
        {
            connection.Dispose();
            throw new StoreException(StoreErrorCode.Unreadable,
                $"The store at {full} is not a readable SQLite database ({e.Message}). Slipway left the file untouched; " +
                "restore it from a backup, or move it away to start with an empty store.", e);
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw new StoreException(StoreErrorCode.Unreadable,
                $"The store at {full} could not be opened ({e.Message}). Check that the file and its directory are " +
                "readable and writable by this user.", e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Latest schema version this build knows.</summary>
    public static int LatestSchemaVersion => Migrations.All[^1].Version;

    public int SchemaVersion()
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
            return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Reads a connection setting (<c>journal_mode</c>, <c>foreign_keys</c>, ...), for diagnostics (<c>slipway doctor</c>) and tests.</summary>
    public string Pragma(string name)
    {
        if (name is not ("journal_mode" or "foreign_keys" or "synchronous" or "busy_timeout" or "integrity_check"))
        {
            throw new ArgumentException($"Pragma {name} is not readable through the store.", nameof(name));
        }

        return Read(c =>
        {
            using var command = Query(c, "PRAGMA " + name);
            return Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture) ?? "";
        });
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _connection.Dispose();
        }
    }

    private void Migrate()
    {
        using var transaction = _connection.BeginTransaction();
        var tx = new StoreTransaction(_connection, transaction, _time.GetUtcNow());
        tx.Execute("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version     INTEGER PRIMARY KEY,
                name        TEXT NOT NULL,
                applied_at  TEXT NOT NULL
            )
            """);
        var current = Convert.ToInt32(tx.Scalar("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"), CultureInfo.InvariantCulture);
        if (current > LatestSchemaVersion)
        {
            throw new StoreException(StoreErrorCode.SchemaTooNew,
                $"The store at {Path} has schema version {current}, but this Slipway only knows up to version " +
                $"{LatestSchemaVersion}. It was written by a newer Slipway: run that version (or newer) against it.");
        }

        // Every known migration not yet recorded, not only those above the highest: a migration that landed after a
        // higher-numbered one (two branches merged) still reaches stores already upgraded past its number.
        var applied = new HashSet<long>();
        using (var command = tx.Command("SELECT version FROM schema_migrations"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                applied.Add(reader.GetInt64(0));
            }
        }

        foreach (var migration in Migrations.All.Where(m => !applied.Contains(m.Version)))
        {
            tx.Execute(migration.Sql);
            tx.Execute("INSERT INTO schema_migrations(version, name, applied_at) VALUES ($v, $n, $at)",
                ("$v", migration.Version), ("$n", migration.Name), ("$at", tx.NowText));
        }

        transaction.Commit();
    }

    /// <summary>Runs <paramref name="work"/> in one IMMEDIATE transaction; on success commits, then publishes its events.</summary>
    private T Write<T>(Func<StoreTransaction, T> work)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            T result;
            StoreTransaction tx;
            try
            {
                // Deferred = false: take the write lock up front so a read-then-write never fails half way on SQLITE_BUSY.
                using var transaction = _connection.BeginTransaction(deferred: false);
                tx = new StoreTransaction(_connection, transaction, _time.GetUtcNow(), Redaction);
                CheckFencing(tx);
                result = work(tx);
                transaction.Commit();
            }
            catch (SqliteException e) when (e.SqliteErrorCode == SqliteConstraint)
            {
                throw new StoreException(StoreErrorCode.Conflict,
                    $"The change was rejected by the store ({e.Message}); nothing was saved.", e);
            }
            catch (SqliteException e)
            {
                throw new StoreException(StoreErrorCode.Unavailable,
                    $"The store at {Path} could not be written ({e.Message}); nothing was saved. Check free disk space " +
                    "and that no other program holds the database locked, then retry.", e);
            }

            foreach (var appended in tx.Events)
            {
                EventAppended?.Invoke(appended);
            }

            return result;
        }
    }

    private T Read<T>(Func<SqliteConnection, T> work)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return work(_connection);
        }
    }

    private static SqliteCommand Query(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    private static List<T> ReadAll<T>(SqliteCommand command, Func<SqliteDataReader, T> map)
    {
        using (command)
        using (var reader = command.ExecuteReader())
        {
            var rows = new List<T>();
            while (reader.Read())
            {
                rows.Add(map(reader));
            }

            return rows;
        }
    }

    private static void ExecuteRaw(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string? NullableString(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static long? NullableLong(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);

    private static StoreException NotFound(string what) => new(StoreErrorCode.NotFound, what);
}
