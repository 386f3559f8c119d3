-- The static inventory: servers by environment and node type, with the packages and services
-- each runs. EC2 hosts come from the scaling tables and are not copied here.
CREATE TABLE host (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT        NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$'),
    address     TEXT        NOT NULL CHECK (address ~ '^([A-Za-z0-9][A-Za-z0-9.-]{0,252}|[0-9A-Fa-f:]{2,39})$'),
    port        INTEGER     NOT NULL DEFAULT 22 CHECK (port BETWEEN 1 AND 65535),
    environment TEXT        NOT NULL CHECK (environment ~ '^[a-z][a-z0-9-]{0,31}$'),
    node_type   TEXT        NOT NULL CHECK (node_type ~ '^[a-z][a-z0-9-]{0,39}$'),
    -- Space-separated lists of plain names.
    tags        TEXT        NOT NULL DEFAULT '' CHECK (tags ~ '^[a-z0-9._+-]*( [a-z0-9._+-]+)*$'),
    packages    TEXT        NOT NULL DEFAULT '' CHECK (packages ~ '^[A-Za-z0-9._+-]*( [A-Za-z0-9._+-]+)*$'),
    services    TEXT        NOT NULL DEFAULT '' CHECK (services ~ '^[A-Za-z0-9._@+-]*( [A-Za-z0-9._@+-]+)*$'),
    source      TEXT        NOT NULL DEFAULT 'static' CHECK (source IN ('static', 'ec2')),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (address, port)
);
CREATE INDEX host_environment ON host (environment, node_type);
