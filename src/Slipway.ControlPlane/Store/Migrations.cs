namespace Slipway.ControlPlane.Store;

/// <summary>The store schema, as ordered migrations. See docs/store.md for what each table means.</summary>
internal static class Migrations
{
    public static IReadOnlyList<Migration> All { get; } =
    [
        new(1, "initial schema", """
            CREATE TABLE apps (
                name        TEXT PRIMARY KEY,
                spec_yaml   TEXT NOT NULL,
                created_at  TEXT NOT NULL,
                updated_at  TEXT NOT NULL
            ) STRICT;

            CREATE TABLE releases (
                id             TEXT PRIMARY KEY,
                app            TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
                revision       TEXT,
                dirty          INTEGER NOT NULL DEFAULT 0 CHECK (dirty IN (0, 1)),
                ref            TEXT,
                digest         TEXT NOT NULL,
                built_at       TEXT NOT NULL,
                path           TEXT NOT NULL,
                manifest_json  TEXT NOT NULL
            ) STRICT;
            CREATE INDEX releases_by_app ON releases(app, built_at);

            -- Sequences for generation numbers ('generation:<app>/<env>') and deployment ids ('deployment:<yyyyMMdd>').
            -- Never deleted with the rows they number, so a number or id is never handed out twice.
            CREATE TABLE counters (
                name   TEXT PRIMARY KEY,
                value  INTEGER NOT NULL
            ) STRICT;

            CREATE TABLE generations (
                app         TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
                env         TEXT NOT NULL,
                number      INTEGER NOT NULL CHECK (number > 0),
                release_id  TEXT NOT NULL REFERENCES releases(id),
                port        INTEGER,
                process_id  TEXT,
                state       TEXT NOT NULL CHECK (state IN ('starting', 'validating', 'active', 'warm', 'stopped', 'failed')),
                created_at  TEXT NOT NULL,
                started_at  TEXT,
                stopped_at  TEXT,
                PRIMARY KEY (app, env, number)
            ) STRICT;
            CREATE INDEX generations_by_release ON generations(release_id);

            CREATE TABLE deployments (
                id                  TEXT PRIMARY KEY,
                app                 TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
                env                 TEXT NOT NULL,
                kind                TEXT NOT NULL CHECK (kind IN ('deploy', 'rollback', 'promote')),
                requested_revision  TEXT,
                from_dir            TEXT,
                status              TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'superseded', 'rolled_back')),
                phase               TEXT NOT NULL,
                release_id          TEXT REFERENCES releases(id) ON DELETE SET NULL,
                generation          INTEGER,
                created_at          TEXT NOT NULL,
                started_at          TEXT,
                finished_at         TEXT,
                exit_code           INTEGER,
                error_summary       TEXT,
                superseded_by       TEXT REFERENCES deployments(id) ON DELETE SET NULL,
                phase_times_json    TEXT NOT NULL DEFAULT '{}',
                duration_ms         INTEGER
            ) STRICT;
            CREATE INDEX deployments_by_app ON deployments(app, id);
            CREATE INDEX deployments_unfinished ON deployments(status) WHERE status IN ('queued', 'running');

            CREATE TABLE pointers (
                app                  TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
                env                  TEXT NOT NULL,
                current_generation   INTEGER,
                previous_generation  INTEGER,
                PRIMARY KEY (app, env),
                FOREIGN KEY (app, env, current_generation) REFERENCES generations(app, env, number),
                FOREIGN KEY (app, env, previous_generation) REFERENCES generations(app, env, number)
            ) STRICT;

            -- The journal. No foreign keys: it outlives the rows it describes.
            CREATE TABLE events (
                seq            INTEGER PRIMARY KEY AUTOINCREMENT,
                at             TEXT NOT NULL,
                type           TEXT NOT NULL,
                app            TEXT,
                env            TEXT,
                deployment_id  TEXT,
                data_json      TEXT NOT NULL DEFAULT '{}'
            ) STRICT;
            CREATE INDEX events_by_deployment ON events(deployment_id, seq) WHERE deployment_id IS NOT NULL;

            CREATE TABLE tokens (
                id            TEXT PRIMARY KEY,
                name          TEXT NOT NULL,
                hash          TEXT NOT NULL UNIQUE,
                created_at    TEXT NOT NULL,
                last_used_at  TEXT,
                revoked_at    TEXT
            ) STRICT;
            """),
        new(2, "release image id", """
            -- The docker image built from a release tree (runtime: docker), pinned by id.
            ALTER TABLE releases ADD COLUMN image_id TEXT;
            """),
        new(3, "webhook secrets and deliveries", """
            -- One webhook secret per app, sealed with the master key (AES-GCM, see Secrets/SecretBox).
            CREATE TABLE webhook_secrets (
                app         TEXT PRIMARY KEY REFERENCES apps(name) ON DELETE CASCADE,
                sealed      TEXT NOT NULL,
                updated_at  TEXT NOT NULL
            ) STRICT;

            -- Deliveries already answered, by the forge's delivery id: a replay gets the same answer and queues nothing.
            CREATE TABLE webhook_deliveries (
                provider      TEXT NOT NULL,
                delivery_id   TEXT NOT NULL,
                status        INTEGER NOT NULL,
                answer_json   TEXT NOT NULL,
                received_at   TEXT NOT NULL,
                PRIMARY KEY (provider, delivery_id)
            ) STRICT;
            """),
        new(4, "leader lease", """
            -- One row: which control plane may write (docs/architecture.md §6). fencing grows by one at every change of holder;
            -- every write transaction checks it is still the fencing number its instance acquired.
            CREATE TABLE lease (
                id          INTEGER PRIMARY KEY CHECK (id = 1),
                holder      TEXT NOT NULL,
                fencing     INTEGER NOT NULL,
                expires_at  TEXT NOT NULL,
                renewed_at  TEXT NOT NULL
            ) STRICT;
            """),
        new(5, "app secrets", """
            -- An app's secrets (slipway secrets set), each sealed with the master key (AES-GCM, associated data
            -- 'secret:<app>/<name>'); only names and times are ever read back out through the API.
            CREATE TABLE app_secrets (
                app         TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
                name        TEXT NOT NULL,
                sealed      TEXT NOT NULL,
                updated_at  TEXT NOT NULL,
                PRIMARY KEY (app, name)
            ) STRICT;
            """),
        new(6, "release migrations and promotions", """
            -- The migrate command, once per release (docs/architecture.md §3): 'started' is journaled before the command runs,
            -- 'succeeded' or 'failed' after. Keyed by release but found by (app, digest): the same built tree never
            -- migrates twice. No foreign key to releases: the record outlives a pruned release tree.
            CREATE TABLE release_migrations (
                release_id     TEXT PRIMARY KEY,
                app            TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
                digest         TEXT NOT NULL,
                status         TEXT NOT NULL CHECK (status IN ('started', 'succeeded', 'failed')),
                exit_code      INTEGER,
                attempts       INTEGER NOT NULL DEFAULT 1,
                deployment_id  TEXT,
                started_at     TEXT NOT NULL,
                finished_at    TEXT
            ) STRICT;
            CREATE INDEX release_migrations_by_digest ON release_migrations(app, digest);

            -- A promote deployment and what it carries over (docs/architecture.md §9.8): the release and the digest that the
            -- deployment validated_by proved in from_env.
            CREATE TABLE promotions (
                deployment_id  TEXT PRIMARY KEY REFERENCES deployments(id) ON DELETE CASCADE,
                from_env       TEXT NOT NULL,
                release_id     TEXT NOT NULL,
                digest         TEXT NOT NULL,
                validated_by   TEXT NOT NULL,
                created_at     TEXT NOT NULL
            ) STRICT;
            CREATE INDEX promotions_by_source ON promotions(validated_by);
            """),
        new(7, "self-deploy handoff markers", """
            -- A control-plane self-deploy (docs/self-deploy.md): the old instance writes the marker after the edge swapped the
            -- admin route, then releases the lease; the new instance completes it once (completed_at), or the old one
            -- aborts it when the ceiling passes (aborted_at). No foreign keys: it outlives the rows it names.
            CREATE TABLE self_handoffs (
                deployment_id    TEXT PRIMARY KEY,
                generation       INTEGER NOT NULL,
                process_id       TEXT NOT NULL,
                expected_digest  TEXT NOT NULL,
                old_process_id   TEXT NOT NULL,
                old_url          TEXT NOT NULL,
                written_at       TEXT NOT NULL,
                completed_at     TEXT,
                completed_by     TEXT,
                aborted_at       TEXT,
                old_stopped_at   TEXT
            ) STRICT;
            """),
        new(9, "token roles and dashboard sessions", """
            -- A token's role (docs/dashboard.md): 'admin' may change things, 'viewer' only reads. Tokens made before
            -- roles existed keep doing what they did, so they are admins.
            ALTER TABLE tokens ADD COLUMN role TEXT NOT NULL DEFAULT 'admin' CHECK (role IN ('admin', 'viewer'));

            -- A signed-in dashboard browser: only the SHA-256 of its cookie is stored. It ends at expires_at, at sign-out
            -- (ended_at) or when its token is revoked. No foreign key: a revoked token's row stays, and so may this one.
            CREATE TABLE dashboard_sessions (
                hash        TEXT PRIMARY KEY,
                token_id    TEXT NOT NULL,
                created_at  TEXT NOT NULL,
                expires_at  TEXT NOT NULL,
                ended_at    TEXT
            ) STRICT;
            CREATE INDEX dashboard_sessions_by_expiry ON dashboard_sessions(expires_at);
            """),
        new(10, "rollouts", """
            -- A deployment's progressive delivery (docs/rollout.md): the steps it runs, where it is, the last operator
            -- command not yet applied, and every decision with the figures it was made on. Written before the edge's
            -- weights change, so recovery knows what the edge may be doing.
            CREATE TABLE rollouts (
                deployment_id      TEXT PRIMARY KEY REFERENCES deployments(id) ON DELETE CASCADE,
                app                TEXT NOT NULL,
                env                TEXT NOT NULL,
                steps_json         TEXT NOT NULL,
                hold               INTEGER NOT NULL DEFAULT 0 CHECK (hold IN (0, 1)),
                state              TEXT NOT NULL CHECK (state IN ('requested', 'running', 'paused', 'promoting', 'promoted', 'aborted')),
                step               INTEGER NOT NULL DEFAULT -1,
                weight             INTEGER NOT NULL DEFAULT 0,
                stable_generation  INTEGER,
                canary_generation  INTEGER,
                command            TEXT CHECK (command IN ('promote', 'abort', 'pause', 'resume')),
                reason             TEXT,
                decisions_json     TEXT NOT NULL DEFAULT '[]',
                updated_at         TEXT NOT NULL
            ) STRICT;
            CREATE INDEX rollouts_open ON rollouts(app, env) WHERE state IN ('requested', 'running', 'paused', 'promoting');
            """),
    ];
}
