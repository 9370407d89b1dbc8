#include "cli/app.h"

#include <CLI/CLI.hpp>
#include <charconv>
#include <exception>
#include <string>
#include <vector>

#include "cli/analyze_command.h"
#include "cli/command.h"
#include "cli/credentials.h"
#include "cli/exit_codes.h"
#include "cli/get_command.h"
#include "cli/health_command.h"
#include "cli/ingest_command.h"
#include "cli/plugins_command.h"
#include "cli/quarantine_command.h"
#include "cli/upload_command.h"
#include "cli/watch_command.h"

#ifndef ARCHIVUM_VERSION
#error "ARCHIVUM_VERSION must be defined by the build"
#endif

namespace archivum::cli {
namespace {

constexpr char kDefaultServer[] = "127.0.0.1:50051";
// A year: far beyond any real call, and small enough that the deadline arithmetic cannot
// overflow.
constexpr double kMaxTimeoutSeconds = 365.0 * 24 * 3600;

// Shown under the main help.
constexpr char kFooter[] = R"(Global options go before or after the subcommand.

Secured daemons: --tls (or any --tls-* option) connects over TLS, trusting the system's CA
certificates or the ones in --tls-ca; --tls-cert and --tls-key present a client certificate
(mutual TLS). --token sends "authorization: Bearer TOKEN" with every call; ARCHIVUM_TOKEN is
used when --token is not given (prefer it: command lines are visible to other local users).

Timeouts: --timeout bounds connecting plus the call. Without it, `ingest` waits as long as the
daemon works and every other command gives up after 30 s; --timeout 0 removes the limit.

Exit codes:
  0  success
  1  the server returned an error (stderr: "error: CODE: message"), or `health` is not SERVING
  2  usage error (unknown option, missing or malformed argument)
  3  server unreachable (connection refused, or none established before the deadline))";

// Appended to each subcommand's help, which CLI11 prints without the main app's options.
constexpr char kSubcommandFooter[] =
    "Global options (before or after the subcommand): --server HOST:PORT, --json,\n"
    "--timeout SECONDS, --token TOKEN, --tls, --tls-ca FILE, --tls-cert FILE, --tls-key FILE,\n"
    "--tls-server-name NAME. See archivum --help for them and the exit codes.";

std::string ValidateServer(const std::string& value) {
  return value.empty() ? "must not be empty" : "";
}

std::string ValidateTimeout(const std::string& value) {
  double seconds = 0;
  const char* end = value.data() + value.size();
  const auto [parsed_to, ec] = std::from_chars(value.data(), end, seconds);
  // !(seconds >= 0) also rejects NaN.
  if (ec != std::errc() || parsed_to != end || !(seconds >= 0) || seconds > kMaxTimeoutSeconds) {
    return "must be a number of seconds from 0 (no deadline) to " +
           std::to_string(static_cast<long>(kMaxTimeoutSeconds));
  }
  return "";
}

std::string ValidateTokenOption(const std::string& value) {
  return ValidateToken(value);
}

int Dispatch(const CLI::App& app, const GlobalOptions& globals, const IngestOptions& ingest,
             const UploadOptions& upload, const AnalyzeOptions& analyze,
             const HealthOptions& health, const GetOptions& get,
             const QuarantineOptions& quarantine, const Streams& io) {
  if (app.got_subcommand("ingest")) return RunIngest(ingest, globals, io);
  if (app.got_subcommand("upload")) return RunUpload(upload, globals, io);
  if (app.got_subcommand("analyze")) return RunAnalyze(analyze, globals, io);
  if (app.got_subcommand("health")) return RunHealth(health, globals, io);
  if (app.got_subcommand("plugins")) return RunPlugins(globals, io);
  if (app.got_subcommand("get")) return RunGet(get, globals, io);
  if (app.got_subcommand("quarantine")) return RunQuarantine(quarantine, globals, io);
  if (app.got_subcommand("watch")) return RunWatch(globals, io);
  // require_subcommand(1) makes this unreachable; stay defined anyway.
  io.err << "error: no subcommand\n";
  return kExitUsage;
}

}  // namespace

int RunCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  const Streams io{out, err};
  try {
    CLI::App app("archivum: command-line client of the Archivum file-analysis daemon", "archivum");
    app.require_subcommand(1);
    // Subcommands created after this inherit it: options of the main app (--server, --json,
    // --timeout) are accepted after the subcommand too.
    app.fallthrough();
    app.set_version_flag("--version", std::string("archivum ") + ARCHIVUM_VERSION);

    GlobalOptions globals;
    globals.server = kDefaultServer;
    app.add_option("-s,--server", globals.server, "Daemon address")
        ->type_name("HOST:PORT")
        ->envname("ARCHIVUM_SERVER")
        ->capture_default_str()
        ->check(CLI::Validator(ValidateServer, ""));
    app.add_flag("--json", globals.json, "Print the response as JSON (protobuf mapping)");
    double timeout_seconds = 0;
    CLI::Option* timeout = app.add_option("--timeout", timeout_seconds,
                                          "Deadline for connecting plus the call (0: none)")
                               ->type_name("SECONDS")
                               ->check(CLI::Validator(ValidateTimeout, ""));
    SecurityOptions security;
    app.add_option("--token", security.token,
                   "Bearer token sent with every call (auth.tokens_file on the daemon)")
        ->type_name("TOKEN")
        ->envname("ARCHIVUM_TOKEN")
        ->check(CLI::Validator(ValidateTokenOption, ""));
    app.add_flag("--tls", security.tls,
                 "Connect over TLS, trusting the system's CA certificates (server.grpc.tls)");
    app.add_option("--tls-ca", security.ca_file,
                   "PEM CA certificate(s) to trust instead of the system's (implies --tls)")
        ->type_name("FILE");
    CLI::Option* tls_cert =
        app.add_option("--tls-cert", security.cert_file,
                       "PEM client certificate for mutual TLS (server.grpc.tls.client_ca; "
                       "implies --tls)")
            ->type_name("FILE");
    CLI::Option* tls_key =
        app.add_option("--tls-key", security.key_file, "PEM private key of --tls-cert")
            ->type_name("FILE");
    tls_cert->needs(tls_key);
    tls_key->needs(tls_cert);
    app.add_option("--tls-server-name", security.server_name,
                   "Name the server's certificate must carry, when it differs from HOST in "
                   "--server (implies --tls)")
        ->type_name("NAME");

    IngestOptions ingest;
    UploadOptions upload;
    AnalyzeOptions analyze;
    HealthOptions health;
    GetOptions get;
    QuarantineOptions quarantine;
    AddIngestCommand(app, &ingest);
    AddUploadCommand(app, &upload);
    AddAnalyzeCommand(app, &analyze);
    AddHealthCommand(app, &health);
    AddPluginsCommand(app);
    AddGetCommand(app, &get);
    AddQuarantineCommand(app, &quarantine);
    AddWatchCommand(app);
    // Subcommands at every depth (`quarantine list` too).
    std::vector<CLI::App*> subcommands = app.get_subcommands({});
    while (!subcommands.empty()) {
      CLI::App* subcommand = subcommands.back();
      subcommands.pop_back();
      for (CLI::App* nested : subcommand->get_subcommands({})) subcommands.push_back(nested);
      const std::string own = subcommand->get_footer();
      subcommand->footer(own.empty() ? kSubcommandFooter : own + "\n\n" + kSubcommandFooter);
    }
    // Set last: subcommands copy the main app's footer when they are created.
    app.footer(kFooter);

    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      // Prints help or the version to `out`, or the error plus a --help hint to `err`.
      const int cli11_code = app.exit(e, out, err);
      return cli11_code == 0 ? kExitOk : kExitUsage;
    }
    if (timeout->count() > 0) globals.timeout_seconds = timeout_seconds;
    if (std::string error; !LoadSecurity(security, &globals.security, &error)) {
      err << "error: " << error << '\n';
      return kExitUsage;
    }
    return Dispatch(app, globals, ingest, upload, analyze, health, get, quarantine, io);
  } catch (const std::exception& e) {
    err << "error: INTERNAL: " << e.what() << '\n';
    return kExitServerError;
  }
}

}  // namespace archivum::cli
