-- Prosody for the side-by-side XMPP run (bench/xmpp/README.md). @DIR@ and @PORT@
-- are filled in by bench/xmpp/run.sh. The archive is on (mod_mam, every message)
-- on SQLite, as Parley keeps every message in its SQLite database.
run_as_root = true
daemonize = false
pidfile = "@DIR@/prosody.pid"
data_path = "@DIR@/data"
network_backend = "epoll"
log = { warn = "@DIR@/prosody.log" }
modules_enabled = {
  "roster"; "saslauth"; "tls"; "disco"; "carbons"; "mam"; "ping"; "register";
  "offline"; "smacks"; "csi_simple"; "blocklist"; "time"; "version";
}
allow_registration = true
min_seconds_between_registrations = 0
registration_throttle_max = 1000000
registration_throttle_period = 1
c2s_require_encryption = true
c2s_ports = { @PORT@ }
c2s_interfaces = { "127.0.0.1" }
s2s_ports = { }
authentication = "internal_hashed"
storage = "sql"
sql = { driver = "SQLite3", database = "prosody.sqlite" }
default_archive_policy = true
archive_expires_after = "1w"
certificates = "@DIR@/certs"
VirtualHost "localhost"
  ssl = { certificate = "@DIR@/certs/localhost.crt", key = "@DIR@/certs/localhost.key" }
