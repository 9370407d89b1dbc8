#include "security_support.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "support/daemon.h"
#include "support/process.h"

namespace archivum::security_testing {
namespace fs = std::filesystem;

namespace {

constexpr char kBootstrapHint[] =
    " is missing: run scripts/bootstrap (it installs openssl, curl and python3-grpcio)";

// Extensions for each certificate kind; `req` needs a distinguished_name section even with -subj.
constexpr char kOpensslConfig[] = R"([req]
distinguished_name = dn
prompt = no
[dn]
CN = placeholder
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
[client_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
)";

bool Run(const std::vector<std::string>& argv, std::string* error) {
  std::string output;
  const int rc = testing::RunProcess(argv, &output);
  if (rc == 0) return true;
  std::string command;
  for (const auto& a : argv) command += a + " ";
  *error = "command failed (exit " + std::to_string(rc) + "): " + command + "\n" + output;
  return false;
}

bool MakeCa(const fs::path& dir, const std::string& name, const fs::path& config,
            std::string* error) {
  return Run({"openssl",
              "req",
              "-x509",
              "-config",
              config.string(),
              "-newkey",
              "ec",
              "-pkeyopt",
              "ec_paramgen_curve:prime256v1",
              "-nodes",
              "-keyout",
              (dir / (name + ".key")).string(),
              "-out",
              (dir / (name + ".pem")).string(),
              "-days",
              "2",
              "-subj",
              "/CN=Archivum test " + name,
              "-extensions",
              "ca_ext"},
             error);
}

bool MakeLeaf(const fs::path& dir, const std::string& name, const std::string& ca,
              const std::string& extensions, const std::string& serial, const fs::path& config,
              std::string* error) {
  const fs::path key = dir / (name + ".key");
  const fs::path csr = dir / (name + ".csr");
  return Run({"openssl", "req", "-new", "-config", config.string(), "-newkey", "ec", "-pkeyopt",
              "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.string(), "-out",
              csr.string(), "-subj", "/CN=" + (extensions == "server_ext" ? "localhost" : name)},
             error) &&
         Run({"openssl", "x509", "-req", "-in", csr.string(), "-CA", (dir / (ca + ".pem")).string(),
              "-CAkey", (dir / (ca + ".key")).string(), "-set_serial", serial, "-days", "2",
              "-extfile", config.string(), "-extensions", extensions, "-out",
              (dir / (name + ".pem")).string()},
             error);
}

}  // namespace

bool HaveProgram(const std::string& program) {
  if (program.find('/') != std::string::npos) return ::access(program.c_str(), X_OK) == 0;
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path == nullptr ? "" : path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (!dir.empty() && ::access((fs::path(dir) / program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

bool MakePki(const fs::path& dir, Pki* pki, std::string* error) {
  if (!HaveProgram("openssl")) {
    *error = std::string("openssl") + kBootstrapHint;
    return false;
  }
  fs::create_directories(dir);
  const fs::path config = dir / "openssl.cnf";
  testing::WriteFile(config, kOpensslConfig);
  if (!MakeCa(dir, "ca", config, error) || !MakeCa(dir, "rogue-ca", config, error) ||
      !MakeLeaf(dir, "server", "ca", "server_ext", "2", config, error) ||
      !MakeLeaf(dir, "client", "ca", "client_ext", "3", config, error) ||
      !MakeLeaf(dir, "rogue-client", "rogue-ca", "client_ext", "4", config, error)) {
    return false;
  }
  pki->ca_cert = dir / "ca.pem";
  pki->server_cert = dir / "server.pem";
  pki->server_key = dir / "server.key";
  pki->client_cert = dir / "client.pem";
  pki->client_key = dir / "client.key";
  pki->rogue_client_cert = dir / "rogue-client.pem";
  pki->rogue_client_key = dir / "rogue-client.key";
  return true;
}

std::string ReadFileOrEmpty(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string PythonWithGrpc(std::string* error) {
  // python3-grpcio installs for Debian's interpreter; a python3 earlier on $PATH (pyenv, a
  // virtualenv) would not see it.
  const std::string python = HaveProgram("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
  std::string output;
  if (testing::RunProcess({python, "-c", "import grpc"}, &output) == 0) return python;
  *error = "python3-grpcio (for " + python + ")" + kBootstrapHint + "\n" + output;
  return "";
}

int CurlStatus(const std::string& output) {
  const size_t at = output.rfind(kCurlStatusMarker);
  if (at == std::string::npos) return -1;
  return std::atoi(output.c_str() + at + sizeof(kCurlStatusMarker) - 1);
}

}  // namespace archivum::security_testing
