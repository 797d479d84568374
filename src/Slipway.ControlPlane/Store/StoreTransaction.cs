using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Slipway.ControlPlane.Store;

/// <summary>
/// One write transaction: the row changes and the journal events they imply commit or roll back together.
/// Events are handed to subscribers only after commit.
/// </summary>
internal sealed class StoreTransaction
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private readonly SqliteConnection _connection;
    private readonly SqliteTransaction _transaction;
    private readonly List<StoreEvent> _events = [];

    private readonly Func<string, string>? _redact;

    public StoreTransaction(SqliteConnection connection, SqliteTransaction transaction, DateTimeOffset now, Func<string, string>? redact = null)
    {
        _connection = connection;
        _transaction = transaction;
        Now = now;
        _redact = redact;
    }

    /// <summary>Masks known secret values in text about to be stored in a row that is shown or streamed.</summary>
    public string? Redact(string? text) => text is null || _redact is null ? text : _redact(text);

    /// <summary>One timestamp for the whole transaction, so rows and their event agree.</summary>
    public DateTimeOffset Now { get; }

    public string NowText => StoreTime.Format(Now);

    public IReadOnlyList<StoreEvent> Events => _events;

    public SqliteCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    public int Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        return command.ExecuteNonQuery();
    }

    public object? Scalar(string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    /// <summary>Next value of a named sequence; the increment is part of this transaction.</summary>
    public long NextInSequence(string name)
    {
        var value = Scalar(
            "INSERT INTO counters(name, value) VALUES ($name, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value",
            ("$name", name));
        return Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }

    public StoreEvent AppendEvent(string type, string? app, string? env, string? deploymentId, object? data)
    {
        // The last line of defence for the journal: whatever a caller put in, no secret value is written or streamed.
        var json = Redact(data is null ? "{}" : JsonSerializer.Serialize(data, data.GetType(), JsonOptions))!;
        var seq = Convert.ToInt64(Scalar(
            """
            INSERT INTO events(at, type, app, env, deployment_id, data_json)
            VALUES ($at, $type, $app, $env, $deployment, $data) RETURNING seq
            """,
            ("$at", NowText), ("$type", type), ("$app", app), ("$env", env), ("$deployment", deploymentId), ("$data", json)),
            CultureInfo.InvariantCulture);
        var appended = new StoreEvent(seq, Now, type, app, env, deploymentId, json);
        _events.Add(appended);
        return appended;
    }
}
