-- The HTTP API's bearer tokens: a name, a scope (1 read, 2 operate, 3 admin) and the SHA-256 of the secret, which is
-- shown once when the token is created and stored nowhere. A revoked token keeps its row (and its name).
CREATE TABLE api_tokens (
    name       text PRIMARY KEY,
    scope      integer NOT NULL,
    hash       text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL,
    revoked_at timestamptz NULL
);
