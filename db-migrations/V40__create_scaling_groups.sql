-- EC2 Auto Scaling groups as last discovered, so the scaling pages and the roll inventory
-- render without calling AWS. Discovery replaces a group's row and its instances in one
-- transaction; a group that AWS no longer lists is deleted with its instances.
CREATE TABLE scaling_group (
    id                      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                    TEXT        NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 255),
    arn                     TEXT,
    environment             TEXT        NOT NULL REFERENCES environment (name),
    node_type               TEXT        NOT NULL CHECK (node_type ~ '^[a-z][a-z0-9-]{0,63}$'),
    -- spot: a spot group; backup: the on-demand group that stands in for a spot group;
    -- on-demand: an on-demand group with no pairing.
    kind                    TEXT        NOT NULL CHECK (kind IN ('spot', 'backup', 'on-demand')),
    -- For a backup group: the spot group it backs (from the pairing tag).
    backup_for              TEXT,
    min_size                INTEGER     NOT NULL CHECK (min_size >= 0),
    max_size                INTEGER     NOT NULL,
    desired_capacity        INTEGER     NOT NULL,
    default_cooldown        INTEGER     NOT NULL DEFAULT 300 CHECK (default_cooldown >= 0),
    launch_template_id      TEXT,
    launch_template_name    TEXT,
    launch_template_version TEXT,
    status                  TEXT,
    tags                    JSONB       NOT NULL DEFAULT '{}'::jsonb,
    created_time            TIMESTAMPTZ,
    discovered_at           TIMESTAMPTZ NOT NULL,
    CONSTRAINT scaling_group_sizes CHECK (max_size >= min_size AND desired_capacity BETWEEN min_size AND max_size),
    CONSTRAINT scaling_group_backup_names_spot CHECK ((kind = 'backup') = (backup_for IS NOT NULL))
);
CREATE INDEX scaling_group_env_node ON scaling_group (environment, node_type);

CREATE TABLE scaling_instance (
    id                      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    instance_id             TEXT        NOT NULL UNIQUE CHECK (instance_id ~ '^i-[0-9a-f]{8,32}$'),
    group_id                BIGINT      NOT NULL REFERENCES scaling_group (id) ON DELETE CASCADE,
    availability_zone       TEXT,
    lifecycle_state         TEXT        NOT NULL,
    health_status           TEXT,
    instance_type           TEXT,
    -- spot or on-demand, from EC2's instanceLifecycle.
    market                  TEXT        NOT NULL CHECK (market IN ('spot', 'on-demand')),
    private_ip              TEXT,
    private_dns             TEXT,
    launch_template_id      TEXT,
    launch_template_version TEXT,
    launched_at             TIMESTAMPTZ,
    discovered_at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX scaling_instance_group ON scaling_instance (group_id);

-- Launch templates the groups use: which version is the default, and its first-boot user data,
-- so the first-boot page can say whether the template matches what Yardmaster would render.
CREATE TABLE scaling_launch_template (
    id                      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    template_id             TEXT        NOT NULL UNIQUE CHECK (template_id ~ '^lt-[0-9a-f]{8,32}$'),
    name                    TEXT        NOT NULL,
    default_version         BIGINT      NOT NULL CHECK (default_version >= 1),
    latest_version          BIGINT      NOT NULL CHECK (latest_version >= default_version),
    default_user_data       TEXT,
    default_market          TEXT        CHECK (default_market IN ('spot', 'on-demand')),
    discovered_at           TIMESTAMPTZ NOT NULL
);

-- One row per discovery run: when, what triggered it, what it found or why it failed.
CREATE TABLE scaling_discovery (
    id                      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at              TIMESTAMPTZ NOT NULL,
    finished_at             TIMESTAMPTZ NOT NULL,
    triggered_by            TEXT        NOT NULL,
    outcome                 TEXT        NOT NULL CHECK (outcome IN ('succeeded', 'failed')),
    groups                  INTEGER     NOT NULL DEFAULT 0 CHECK (groups >= 0),
    instances               INTEGER     NOT NULL DEFAULT 0 CHECK (instances >= 0),
    notes                   TEXT,
    CONSTRAINT scaling_discovery_order CHECK (finished_at >= started_at)
);
CREATE INDEX scaling_discovery_latest ON scaling_discovery (finished_at DESC);
