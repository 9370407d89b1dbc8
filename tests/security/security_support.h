// Helpers for the security integration tests: a throwaway PKI made with the openssl CLI, token
// files, and the external clients (curl, Python's grpcio) the tests drive.
//
// Everything is generated into a test's temporary directory at run time: no key is committed.
// A missing tool is a test failure that says to run scripts/bootstrap, never a silent skip.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace archivum::security_testing {

// A CA, a server certificate for 127.0.0.1 and localhost, a client certificate from the same CA,
// and a client certificate from another ("rogue") CA. All PEM; keys unencrypted.
struct Pki {
  std::filesystem::path ca_cert;
  std::filesystem::path server_cert;
  std::filesystem::path server_key;
  std::filesystem::path client_cert;
  std::filesystem::path client_key;
  std::filesystem::path rogue_client_cert;
  std::filesystem::path rogue_client_key;
};

// Creates the PKI under `dir`. On failure returns false and fills *error (with the command's
// output, or the bootstrap hint if openssl is missing).
bool MakePki(const std::filesystem::path& dir, Pki* pki, std::string* error);

// The whole file, or "" if unreadable.
std::string ReadFileOrEmpty(const std::filesystem::path& file);

// Whether `program` is found on $PATH (or is an executable path).
bool HaveProgram(const std::string& program);

// The Debian interpreter that python3-grpcio is installed for, if `import grpc` works in it;
// otherwise "" and *error says to run scripts/bootstrap.
std::string PythonWithGrpc(std::string* error);

// "\nHTTP <code>" is appended to every curl call's output by these helpers' --write-out.
constexpr char kCurlStatusMarker[] = "\nHTTP ";

// The status code curl reported through kCurlStatusMarker, or -1.
int CurlStatus(const std::string& output);

}  // namespace archivum::security_testing
