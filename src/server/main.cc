// 2501-accounts: flags, signals, and the choice of implementations (store from --db, system
// clock, libsodium randomness); BuildApp (app.h) connects the layers.

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "core/random.h"
#include "core/time.h"
#include "http/http_server.h"
#include "http/public_url.h"
#include "http/trusted_proxies.h"
#include "mail/mail_sender.h"
#include "mail/outbox_transport.h"
#include "mail/smtp_transport.h"
#include "server/access_log.h"
#include "server/app.h"
#include "server/config_file.h"
#include "store/copy_store.h"
#include "store/open_store.h"
#include "store/sqlite_backup.h"

namespace tfzo {
namespace {

constexpr char kDefaultDb[] = "sqlite:./data/accounts.db";
// The same version as the `2501` CLI's.
constexpr char kVersion[] = "2501-accounts 0.1.0";
constexpr std::string_view kSqlite = "sqlite:";
// The database URL may come from the environment instead of --db (it may hold a password).
constexpr char kDbVariable[] = "TFZO_DB";

struct ServeFlags {
  std::string listen = "127.0.0.1:8080";
  std::string db = kDefaultDb;
  std::optional<int> max_key_lifetime_days;
  int max_active_keys = AppOptions{}.max_active_keys;
  int max_orgs = AppOptions{}.max_orgs;
  std::string tls_cert;
  std::string tls_key;
  std::string public_url;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::string web_dir;
  bool access_log = true;
  int key_failure_limit = AppOptions{}.key_failure_limit;
  int signin_address_limit = AppOptions{}.login_address_limit;
  int signup_address_limit = AppOptions{}.signup_address_limit;
  int hash_threads = 0;
  int header_timeout_seconds = static_cast<int>(http::HttpServer::Options{}.header_timeout.count());
  int read_timeout_seconds = static_cast<int>(http::HttpServer::Options{}.read_timeout.count());
  int idle_timeout_seconds = static_cast<int>(http::HttpServer::Options{}.idle_timeout.count());
  size_t max_connections = http::HttpServer::Options{}.max_connections;
  size_t max_connections_per_address = http::HttpServer::Options{}.max_connections_per_address;
  std::vector<std::string> trusted_proxies;  // CIDRs
  int stale_for_seconds = static_cast<int>(AppOptions{}.stale_for.count());
  double db_timeout_seconds =
      std::chrono::duration<double>(std::chrono::milliseconds(kDefaultDbTimeout)).count();
  std::string smtp_url;
  std::string smtp_user;
  std::string mail_from;  // "": DefaultSender of the console URL
  std::string outbox = "./data/outbox";
  int expiry_notice_interval_seconds = static_cast<int>(ExpiryNotices::kDefaultInterval.count());
  int session_purge_interval_seconds = static_cast<int>(SessionPurge::kDefaultInterval.count());
  int unused_key_revocation_interval_seconds =
      static_cast<int>(UnusedKeyRevocation::kDefaultInterval.count());
};

// Descriptors kept aside from connections: the store, the log, the listener, the event loops.
constexpr rlim_t kDescriptorHeadroom = 64;

// Raises the soft limit on open files to the hard one, and returns how many connections fit
// under it: `wanted`, or fewer (said in the log) so that accepting never runs out of
// descriptors while the store or a log still needs one.
size_t FitConnectionsToDescriptorLimit(size_t wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return wanted;
  if (limit.rlim_cur != limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    // An unlimited hard limit cannot be the soft one for descriptors; keep what we have then.
    if (limit.rlim_max != RLIM_INFINITY && setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  if (limit.rlim_cur == RLIM_INFINITY) return wanted;
  const rlim_t headroom = std::min(kDescriptorHeadroom, limit.rlim_cur / 2);
  const size_t fits = static_cast<size_t>(std::max<rlim_t>(1, limit.rlim_cur - headroom));
  if (wanted <= fits) return wanted;
  spdlog::warn(
      "--max-connections {} lowered to {}: the open-file limit (RLIMIT_NOFILE) is {}, and {} "
      "descriptors are kept for the store, logs and listener; raise the limit (systemd: "
      "LimitNOFILE=) to allow more",
      wanted, fits, static_cast<uint64_t>(limit.rlim_cur), static_cast<uint64_t>(headroom));
  return fits;
}

int Fail(const std::string& what) {
  std::cerr << "2501-accounts: " << what << "\n";
  return 1;
}

// Where mail goes: the SMTP server of --smtp-url, or else .eml files in --outbox.
Result<std::unique_ptr<MailTransport>> MakeMailTransport(const ServeFlags& flags) {
  if (flags.smtp_url.empty()) {
    ASSIGN_OR_RETURN(auto outbox, OutboxTransport::Create(flags.outbox));
    return std::unique_ptr<MailTransport>(std::move(outbox));
  }
  const char* password = std::getenv("TFZO_SMTP_PASSWORD");
  ASSIGN_OR_RETURN(auto smtp,
                   SmtpTransport::Create({.url = flags.smtp_url,
                                          .user = flags.smtp_user,
                                          .password = Secret(password ? password : "")}));
  return std::unique_ptr<MailTransport>(std::move(smtp));
}

// The database of --db for people: the SQLite file's absolute path, or the PostgreSQL URL
// without its password or parameters (either may hold a secret).
std::string DescribeDb(const std::string& db) {
  if (db.starts_with(kSqlite)) {
    const std::string path = db.substr(kSqlite.size());
    if (path == ":memory:") return "sqlite::memory:";
    std::error_code ec;
    const std::filesystem::path absolute = std::filesystem::absolute(path, ec);
    return "sqlite:" + (ec ? path : absolute.lexically_normal().string());
  }
  std::string url = db.substr(0, db.find('?'));
  const size_t scheme_end = url.find("://");
  const size_t at = url.find('@');
  if (scheme_end != std::string::npos && at != std::string::npos && at > scheme_end) {
    const size_t colon = url.find(':', scheme_end + 3);
    if (colon != std::string::npos && colon < at) url.erase(colon, at - colon);
  }
  return url;
}

int Migrate(const std::string& db) {
  auto store = OpenStore(db);
  if (!store.ok()) return Fail(store.status().message());
  std::cout << "migrations applied to " << DescribeDb(db) << "\n";
  return 0;
}

// copy-store: a SQLite store's rows into an empty PostgreSQL database (copy_store.h).
int CopyStore(const std::string& from, const std::string& to) {
  if (!from.starts_with(kSqlite) || from == "sqlite::memory:" || from.size() == kSqlite.size()) {
    return Fail("copy-store --from must be sqlite:PATH (the SQLite file to copy)");
  }
  if (!to.starts_with("postgresql://") && !to.starts_with("postgres://")) {
    return Fail("copy-store --to must be postgresql://... (an empty database)");
  }
  std::cout << "copying " << DescribeDb(from) << " into " << DescribeDb(to) << std::endl;
  const Status s = CopySqliteToPostgres(from.substr(kSqlite.size()), to, std::cout);
  if (!s.ok()) return Fail("copy-store: " + s.message());
  return 0;
}

// backup: a consistent copy of a SQLite store while the server runs (sqlite_backup.h).
int Backup(const std::string& db, const std::string& to, bool force) {
  if (db.starts_with("postgresql://") || db.starts_with("postgres://")) {
    return Fail(
        "backup copies SQLite databases; back up PostgreSQL with pg_dump -Fc (see "
        "docs/backup.md)");
  }
  if (!db.starts_with(kSqlite) || db == "sqlite::memory:" || db.size() == kSqlite.size()) {
    return Fail("backup --db must be sqlite:PATH");
  }
  auto made = BackupSqlite(db.substr(kSqlite.size()), to, force);
  if (!made.ok()) return Fail("backup: " + made.status().message());
  std::cout << "backup of " << DescribeDb(db) << " written to " << to << ": " << made->bytes
            << " bytes, schema version " << made->schema_version << ", integrity_check ok\n";
  return 0;
}

// The files and directories a start may create (the SQLite database, its journal files and
// directory, the outbox), removed again when the start fails: a mistyped flag or a busy port
// leaves nothing behind. Remembers only paths that did not exist yet; Keep() once the server
// is up. Owned by Serve; not thread-safe.
class NewFilesOnFailure {
 public:
  NewFilesOnFailure() = default;
  NewFilesOnFailure(const NewFilesOnFailure&) = delete;
  NewFilesOnFailure& operator=(const NewFilesOnFailure&) = delete;
  ~NewFilesOnFailure() {
    // Longest first: files and subdirectories before the directories holding them. remove()
    // leaves a directory that is not empty (something else put a file there).
    std::sort(paths_.begin(), paths_.end(),
              [](const auto& a, const auto& b) { return a.string().size() > b.string().size(); });
    for (const auto& p : paths_) {
      std::error_code ec;
      std::filesystem::remove(p, ec);
    }
  }

  // `path`, and each of its missing parent directories.
  void Watch(const std::filesystem::path& path) {
    std::error_code ec;
    std::filesystem::path p = std::filesystem::absolute(path, ec).lexically_normal();
    if (ec) return;
    while (!p.empty() && !std::filesystem::exists(std::filesystem::symlink_status(p, ec))) {
      paths_.push_back(p);
      if (p == p.parent_path()) break;
      p = p.parent_path();
    }
  }

  void Keep() { paths_.clear(); }

 private:
  std::vector<std::filesystem::path> paths_;
};

int Serve(const ServeFlags& flags) {
  NewFilesOnFailure new_files;  // destroyed after the store: the database is closed by then
  if (flags.db.starts_with(kSqlite) && flags.db != "sqlite::memory:") {
    // The journal files only with a new database: an existing one's may hold its data.
    const std::string path = flags.db.substr(kSqlite.size());
    std::error_code ec;
    if (!std::filesystem::exists(path, ec) && !ec) {
      for (const char* suffix : {"", "-wal", "-shm", "-journal"}) new_files.Watch(path + suffix);
    }
  }
  if (flags.smtp_url.empty()) new_files.Watch(flags.outbox);
  const size_t colon = flags.listen.rfind(':');
  if (colon == std::string::npos) return Fail("--listen: expected HOST:PORT");
  http::HttpServer::Options http_options;
  http_options.host = flags.listen.substr(0, colon);
  try {
    const int port = std::stoi(flags.listen.substr(colon + 1));
    if (port < 0 || port > 65535) throw std::out_of_range("port");
    http_options.port = static_cast<uint16_t>(port);
  } catch (const std::exception&) {
    return Fail("--listen: the port must be a number from 0 to 65535");
  }
  std::shared_ptr<boost::asio::ssl::context> tls;
  if (!flags.tls_cert.empty() || !flags.tls_key.empty()) {
    if (flags.tls_cert.empty() || flags.tls_key.empty()) {
      return Fail("--tls-cert and --tls-key go together");
    }
    auto made = http::MakeTlsContext(flags.tls_cert, flags.tls_key);
    if (!made.ok()) return Fail(made.status().message());
    tls = std::move(made).value();
  }
  std::optional<http::PublicUrl> public_url;
  if (!flags.public_url.empty()) {
    auto parsed = http::PublicUrl::Parse(flags.public_url);
    if (!parsed.ok()) return Fail(parsed.status().message());
    public_url = std::move(parsed).value();
  }
  // Browsers reach the console over HTTPS: here, or at a proxy in front.
  const bool https = tls != nullptr || (public_url && public_url->https);
  http_options.hsts = https;
  auto trusted =
      http::TrustedProxies::Parse(fmt::format("{}", fmt::join(flags.trusted_proxies, ",")));
  if (!trusted.ok()) return Fail(trusted.status().message());
  http_options.trusted_proxies = std::move(trusted).value();
  http_options.io_threads = flags.threads;
  http_options.header_timeout = std::chrono::seconds(flags.header_timeout_seconds);
  http_options.read_timeout = std::chrono::seconds(flags.read_timeout_seconds);
  http_options.idle_timeout = std::chrono::seconds(flags.idle_timeout_seconds);
  http_options.max_connections = FitConnectionsToDescriptorLimit(flags.max_connections);
  http_options.max_connections_per_address = flags.max_connections_per_address;

  auto transport = MakeMailTransport(flags);
  if (!transport.ok()) return Fail(transport.status().message());
  std::optional<Mailbox> mail_from;
  if (!flags.mail_from.empty()) {
    auto parsed = ParseMailbox(flags.mail_from);
    if (!parsed.ok()) return Fail("--mail-from: " + parsed.status().message());
    mail_from = std::move(parsed).value();
  }

  const auto db_timeout = std::chrono::milliseconds(std::lround(flags.db_timeout_seconds * 1000));
  auto opened = OpenStore(flags.db, db_timeout);
  if (!opened.ok()) return Fail(opened.status().message());
  std::unique_ptr<Store> store = std::move(opened).value();

  SystemClock clock;
  SodiumRandom random;
  std::unique_ptr<App> app = BuildApp(
      AppOptions{
          .max_key_lifetime_days = flags.max_key_lifetime_days,
          .max_active_keys = flags.max_active_keys,
          .max_orgs = flags.max_orgs,
          .key_failure_limit = flags.key_failure_limit,
          .secure_cookie = https,
          .public_origin = public_url ? public_url->origin : "",
          .web_dir = flags.web_dir,
          .console_url = public_url ? public_url->base : "",
          .stale_for = std::chrono::seconds(flags.stale_for_seconds),
          .login_address_limit = flags.signin_address_limit,
          .signup_address_limit = flags.signup_address_limit,
          .hash_threads = flags.hash_threads,
          .http_workers = http_options.worker_threads,
      },
      *store, clock, random);
  spdlog::info("password hashing: {} threads, {} more sign-ins may wait", app->hashing.threads(),
               app->hashing.capacity() - app->hashing.threads());
  http::Api& api = app->api;

  // One access-log line per request (AccessLog), written off the request threads.
  std::optional<AccessLog> access_log;
  if (flags.access_log) access_log.emplace();
  auto log_access = [&access_log](const http::Request& request, const http::HttpResponse& res) {
    if (access_log) access_log->Record(request, res);
  };
  http::HttpServer server(
      http_options,
      [&](http::Request& request) {
        http::HttpResponse res = api.Handle(request);
        log_access(request, res);
        return res;
      },
      [&](http::Request& request) {
        std::optional<http::HttpResponse> res = api.TryHandleInline(request);
        if (res) log_access(request, *res);
        return res;
      },
      tls);
  auto endpoint = server.Listen();
  if (!endpoint.ok()) return Fail(endpoint.status().message());
  const char* scheme = tls ? "https" : "http";
  std::cout << "listening on " << scheme << "://" << endpoint->address().to_string() << ":"
            << endpoint->port() << std::endl;
  const std::string console =
      public_url
          ? public_url->base
          : fmt::format("{}://{}:{}", scheme, endpoint->address().to_string(), endpoint->port());
  app->console_url = console;  // before the first request: links in mails start here
  spdlog::info("console at {}/ (store: {})", console, flags.db.substr(0, flags.db.find(':')));
  if (!mail_from) {
    auto sender = DefaultSender(console);
    if (!sender.ok()) return Fail("--mail-from: " + sender.status().message());
    mail_from = std::move(sender).value();
  }
  new_files.Keep();  // started: what it created stays
  spdlog::info("mail from {} goes to {}", mail_from->address, (*transport)->Describe());
  MailSender mail(*store, **transport, *mail_from, clock, MailSender::Options{});
  store->SetMailListener([&mail] { mail.Wake(); });
  // Each periodic job's ticks (ran, skipped: another node had it, failed) go to /metrics.
  const JobObserver count_run = [&app](std::string_view job, JobOutcome outcome) {
    app->metrics.RecordJobRun(job, JobOutcomeName(outcome));
  };
  app->expiry_notices.Start(std::chrono::seconds(flags.expiry_notice_interval_seconds), count_run);
  app->session_purge.Start(std::chrono::seconds(flags.session_purge_interval_seconds), count_run);
  app->unused_keys.Start(std::chrono::seconds(flags.unused_key_revocation_interval_seconds),
                         count_run);
  server.Run();
  if (access_log) access_log->Close();  // every line written before the last ones below
  app->expiry_notices.Stop();
  app->session_purge.Stop();
  app->unused_keys.Stop();
  store->SetMailListener(nullptr);
  mail.Stop();  // a send in progress is abandoned, its mail left for the next start
  app->usage.Stop();
  spdlog::info("stopped");
  return 0;
}

}  // namespace
}  // namespace tfzo

int main(int argc, char** argv) {
  auto logger = spdlog::stderr_color_mt("2501-accounts");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern(tfzo::kLogLinePattern, spdlog::pattern_time_type::utc);

  CLI::App app{"2501-accounts: the 2501 API key server"};
  app.require_subcommand(1);
  app.set_version_flag("--version", tfzo::kVersion);
  tfzo::ServeFlags flags;
  CLI::App* serve = app.add_subcommand("serve", "Run the HTTP server");
  serve->add_option("--listen", flags.listen, "HOST:PORT (port 0: pick one and print it)")
      ->capture_default_str();
  std::string config_path;
  serve->add_option("--config", config_path,
                    "TOML FILE of option values (KEY = VALUE, KEY a long option without its "
                    "dashes; docs/configuration.md); the command line and TFZO_DB override it");
  serve->add_option("--db", flags.db, "sqlite:PATH or postgresql://...")
      ->envname(tfzo::kDbVariable)
      ->capture_default_str();
  serve
      ->add_option("--max-key-lifetime", flags.max_key_lifetime_days,
                   "DAYS: refuse longer expirations and \"never\"")
      ->check(CLI::Range(1, 36500));
  serve
      ->add_option("--max-active-keys", flags.max_active_keys,
                   "N: active (not revoked, not expired) API keys one account may have")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  serve->add_option("--max-orgs", flags.max_orgs, "N: organizations one account may create or join")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  serve->add_option("--tls-cert", flags.tls_cert, "PEM certificate chain");
  serve->add_option("--tls-key", flags.tls_key, "PEM private key");
  serve->add_option("--public-url", flags.public_url,
                    "URL where people reach the console (e.g. https://accounts.example.com "
                    "behind a TLS proxy): https makes the session cookie __Host- and Secure "
                    "and adds HSTS");
  serve->add_option("--threads", flags.threads, "I/O threads")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  serve->add_option("--web-dir", flags.web_dir,
                    "serve the console from this directory instead of the embedded copy "
                    "(console development)");
  serve->add_flag("--access-log,!--no-access-log", flags.access_log,
                  "log one line per request to stderr (default: on)");
  serve
      ->add_option("--key-failure-limit", flags.key_failure_limit,
                   "unknown or malformed API keys one address may send per minute before 429")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  serve
      ->add_option("--signin-address-limit", flags.signin_address_limit,
                   "failed sign-ins one address may make per 15 minutes before 429")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  serve
      ->add_option("--signup-address-limit", flags.signup_address_limit,
                   "sign-ups one address may make per hour before 429")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  serve
      ->add_option("--hash-threads", flags.hash_threads,
                   "threads hashing passwords (0: half the cores; fewer than the HTTP workers)")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  serve
      ->add_option("--header-timeout", flags.header_timeout_seconds,
                   "SECONDS a client has to send a request's headers (from its first byte, or "
                   "from connecting)")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  serve
      ->add_option("--read-timeout", flags.read_timeout_seconds,
                   "SECONDS a client has to send a request's body (and to read an answer)")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  serve
      ->add_option("--idle-timeout", flags.idle_timeout_seconds,
                   "SECONDS a kept-alive connection may wait for its next request")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  serve->add_option("--max-connections", flags.max_connections, "open connections at most")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  serve
      ->add_option("--max-connections-per-address", flags.max_connections_per_address,
                   "open connections from one address at most (trusted proxies: no limit)")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  serve
      ->add_option("--trusted-proxies", flags.trusted_proxies,
                   "CIDR[,CIDR...]: proxies whose X-Forwarded-For and X-Forwarded-Proto are "
                   "believed (a bare address is /32 or /128)")
      ->delimiter(',')
      // Checked as it is read, so that a bad CIDR in --config names its line.
      ->check(CLI::Validator(
          [](std::string& cidr) -> std::string {
            auto parsed = tfzo::http::TrustedProxies::Parse(cidr);
            if (parsed.ok()) return "";
            std::string why = parsed.status().message();
            constexpr std::string_view kPrefix = "--trusted-proxies: ";
            return why.starts_with(kPrefix) ? why.substr(kPrefix.size()) : why;
          },
          "CIDR"));
  serve
      ->add_option("--stale-for", flags.stale_for_seconds,
                   "SECONDS cached keys keep answering while the database is unreachable, from "
                   "the last moment this node knew it was current (0: fail closed at once)")
      ->check(CLI::Range(0, 86400))
      ->capture_default_str();
  serve
      ->add_option("--db-timeout", flags.db_timeout_seconds,
                   "SECONDS a PostgreSQL call may take, connecting included, before it fails "
                   "with 503 (a hung database never hangs a request)")
      ->check(CLI::Range(0.05, 600.0))
      ->capture_default_str();
  serve->add_option("--smtp-url", flags.smtp_url,
                    "smtp://HOST[:PORT] (STARTTLS when offered) or smtps://HOST[:PORT]: where mail "
                    "goes; without it, each message is an .eml file in --outbox");
  serve->add_option("--smtp-user", flags.smtp_user,
                    "log in to the SMTP server as this user (password: the environment variable "
                    "TFZO_SMTP_PASSWORD; STARTTLS is then required)");
  serve->add_option("--mail-from", flags.mail_from,
                    "\"Name <address>\" mail comes from (default: 2501 Accounts <accounts@HOST>, "
                    "HOST the console URL's)");
  serve
      ->add_option("--outbox", flags.outbox,
                   "DIR where messages are written as .eml files when there is no --smtp-url")
      ->capture_default_str();
  // For tests: how often the expiry notices' job runs.
  serve->add_option("--expiry-notice-interval", flags.expiry_notice_interval_seconds)
      ->check(CLI::Range(1, 86400))
      ->group("");
  // For tests: how often idle sessions are purged from the store.
  serve->add_option("--session-purge-interval", flags.session_purge_interval_seconds)
      ->check(CLI::Range(1, 86400))
      ->group("");
  serve
      ->add_option("--unused-key-revocation-interval", flags.unused_key_revocation_interval_seconds,
                   "SECONDS between runs of the job that revokes keys unused for their "
                   "organization's revoke_unused_after_days (once per interval in the cluster)")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  std::string migrate_db = tfzo::kDefaultDb;
  CLI::App* migrate = app.add_subcommand("migrate", "Apply schema migrations and exit");
  migrate->add_option("--db", migrate_db, "sqlite:PATH or postgresql://...")
      ->envname(tfzo::kDbVariable)
      ->capture_default_str();

  std::string copy_from, copy_to;
  CLI::App* copy = app.add_subcommand(
      "copy-store",
      "Copy a SQLite store into an empty PostgreSQL database, then check every table "
      "(docs/backup.md)");
  copy->add_option("--from", copy_from, "sqlite:PATH: the store to copy (the server may run)")
      ->required();
  copy->add_option("--to", copy_to, "postgresql://...: an empty database (migrated first)")
      ->required();
  std::string backup_db, backup_to;
  bool backup_force = false;
  CLI::App* backup = app.add_subcommand(
      "backup", "Copy a SQLite store consistently while the server runs (docs/backup.md)");
  backup->add_option("--db", backup_db, "sqlite:PATH: the store to back up")->required();
  backup->add_option("--to", backup_to, "FILE to write (mode 0600)")->required();
  backup->add_flag("--force", backup_force, "replace FILE if it exists");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version: printed by CLI11, exit 0.
    if (e.get_exit_code() == 0) return app.exit(e);
    // A usage error: one line, exit 2 (as the `2501` CLI).
    std::string what = e.what();
    std::replace(what.begin(), what.end(), '\n', ' ');
    std::cerr << "2501-accounts: " << what << " (see 2501-accounts --help)\n";
    return 2;
  }
  if (*serve && !config_path.empty()) {
    // After the command line: what it (or TFZO_DB) gave wins over the file.
    auto applied = tfzo::ApplyConfigFile(config_path, *serve, "config", tfzo::ProcessEnv());
    if (!applied.ok()) {
      std::cerr << "2501-accounts: " << applied.status().message() << "\n";
      return 2;
    }
    for (const std::string& warning : applied->warnings) spdlog::warn("{}", warning);
  }
  if (*serve) return tfzo::Serve(flags);
  if (*migrate) return tfzo::Migrate(migrate_db);
  if (*copy) return tfzo::CopyStore(copy_from, copy_to);
  if (*backup) return tfzo::Backup(backup_db, backup_to, backup_force);
  return 2;
}
