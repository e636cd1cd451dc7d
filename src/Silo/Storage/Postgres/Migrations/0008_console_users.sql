-- Console users that admins manage from the console (users from configuration are not stored): a name, the
-- password's hash (ASP.NET Core Identity's PBKDF2 format, made by the console) and a role (Viewer, Operator, Admin).
CREATE TABLE console_users (
    name          text PRIMARY KEY,
    password_hash text NOT NULL,
    role          text NOT NULL,
    created_at    timestamptz NOT NULL
);
