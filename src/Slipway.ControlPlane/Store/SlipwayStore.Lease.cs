namespace Slipway.ControlPlane.Store;

/// <summary>
/// The leader lease (docs/architecture.md §6): one row naming the control plane that may write, with an expiry and a
/// fencing number. Once <see cref="RequireLease"/> is called, every write transaction first checks that the
/// row still carries this instance's holder id and fencing number, inside the same transaction, so an
/// instance that lost the lease (paused past its expiry, then resumed) cannot write over its successor.
/// </summary>
internal sealed partial class SlipwayStore
{
    private string? _holder;
    private long? _fencing;

    /// <summary>True when this instance may write: it holds the lease, or the lease is not used (tools, tests).</summary>
    public bool IsLeader
    {
        get
        {
            lock (_gate)
            {
                return _holder is null || _fencing is not null;
            }
        }
    }

    /// <summary>The fencing number this instance acquired; null while it is a follower.</summary>
    public long? Fencing
    {
        get
        {
            lock (_gate)
            {
                return _fencing;
            }
        }
    }

    /// <summary>From now on, writes need the lease held by <paramref name="holder"/>; until it is acquired this instance only reads.</summary>
    public void RequireLease(string holder)
    {
        lock (_gate)
        {
            _holder = holder;
            _fencing = null;
        }
    }

    public LeaseState? ReadLease() => Read(c =>
        ReadAll(
            Query(c, "SELECT holder, fencing, expires_at FROM lease WHERE id = 1"),
            r => new LeaseState(r.GetString(0), r.GetInt64(1), StoreTime.Parse(r.GetString(2)))).SingleOrDefault());

    /// <summary>
    /// Takes the lease when it is free, expired, or held by an instance <paramref name="holderIsGone"/> says is
    /// dead (a new fencing number), or renews it when this instance holds it. Returns whether this instance holds
    /// it now; a renewal that finds another holder demotes this instance to follower.
    /// </summary>
    public bool TryAcquireLease(TimeSpan duration, Func<string, bool> holderIsGone) => LeaseWrite(duration, holderIsGone, acquire: true);

    /// <summary>Extends the lease this instance holds; false (and follower from now on) when it was lost.</summary>
    public bool RenewLease(TimeSpan duration) => LeaseWrite(duration, _ => false, acquire: false);

    /// <summary>Gives the lease up (a clean stop) so a follower can take over at once instead of waiting for expiry.</summary>
    public void ReleaseLease()
    {
        lock (_gate)
        {
            if (_disposed || _holder is null || _fencing is null)
            {
                return;
            }

            try
            {
                using var transaction = _connection.BeginTransaction(deferred: false);
                using (var command = Query(_connection, "UPDATE lease SET expires_at = $now WHERE id = 1 AND holder = $holder AND fencing = $fencing",
                    ("$now", StoreTime.Format(_time.GetUtcNow())), ("$holder", _holder), ("$fencing", _fencing)))
                {
                    command.Transaction = transaction;
                    command.ExecuteNonQuery();
                }

                transaction.Commit();
            }
            catch (Microsoft.Data.Sqlite.SqliteException)
            {
                // Stopping anyway; the lease simply runs out instead of ending now.
            }

            _fencing = null;
        }
    }

    private bool LeaseWrite(TimeSpan duration, Func<string, bool> holderIsGone, bool acquire)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var holder = _holder ?? throw new InvalidOperationException("Call RequireLease first.");
            var now = _time.GetUtcNow();
            try
            {
                using var transaction = _connection.BeginTransaction(deferred: false);
                var tx = new StoreTransaction(_connection, transaction, now);
                var row = ReadAll(tx.Command("SELECT holder, fencing, expires_at FROM lease WHERE id = 1"),
                    r => new LeaseState(r.GetString(0), r.GetInt64(1), StoreTime.Parse(r.GetString(2)))).SingleOrDefault();
                var expires = StoreTime.Format(now + duration);
                long fencing;
                if (row is not null && row.Holder == holder && row.Fencing == _fencing)
                {
                    fencing = row.Fencing;
                    tx.Execute("UPDATE lease SET expires_at = $expires, renewed_at = $now WHERE id = 1", ("$expires", expires), ("$now", tx.NowText));
                }
                else if (acquire && (row is null || row.ExpiresAt <= now || holderIsGone(row.Holder)))
                {
                    fencing = (row?.Fencing ?? 0) + 1;
                    tx.Execute(
                        """
                        INSERT INTO lease(id, holder, fencing, expires_at, renewed_at) VALUES (1, $holder, $fencing, $expires, $now)
                        ON CONFLICT(id) DO UPDATE SET holder = $holder, fencing = $fencing, expires_at = $expires, renewed_at = $now
                        """,
                        ("$holder", holder), ("$fencing", fencing), ("$expires", expires), ("$now", tx.NowText));
                    tx.AppendEvent(EventTypes.LeaseAcquired, null, null, null, new { holder, fencing, previousHolder = row?.Holder });
                }
                else
                {
                    _fencing = null;
                    return false;
                }

                transaction.Commit();
                _fencing = fencing;
                foreach (var appended in tx.Events)
                {
                    EventAppended?.Invoke(appended);
                }

                return true;
            }
            catch (Microsoft.Data.Sqlite.SqliteException e)
            {
                // Busy or failing store: not proof that someone else leads, but this instance cannot write either.
                _fencing = null;
                throw new StoreException(StoreErrorCode.Unavailable, $"The store at {Path} could not update the lease ({e.Message}).", e);
            }
        }
    }

    private void CheckFencing(StoreTransaction tx)
    {
        if (_holder is null)
        {
            return;
        }

        var fencing = _fencing;
        var holds = fencing is not null && tx.Scalar("SELECT 1 FROM lease WHERE id = 1 AND holder = $holder AND fencing = $fencing",
            ("$holder", _holder), ("$fencing", fencing)) is not null;
        if (!holds)
        {
            _fencing = null;
            throw new StoreException(StoreErrorCode.NotLeader,
                "This control plane is a follower: another instance holds the store's lease and does the writing. " +
                "Send changes to the leader, or wait for this instance to take over when the lease expires.");
        }
    }
}
