// Helpers for the mail plugin's tests: run the plugin's logic on bytes as the C++ helper would
// (a thrown sdk::Error becomes its code and message) and read what it emitted.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "archivum/plugin.hpp"
#include "mail/mail_extractor.h"
#include "plugins_bundled/test_util.h"

namespace archivum::bundled::mail::testing {

using bundled::testing::RecordingSink;
using bundled::testing::TestFile;

struct MailRun {
  archivum_rc rc = ARCHIVUM_OK;
  std::string error;  // the message of a thrown sdk::Error
};

// Runs ProcessMail on `bytes` typed `mime` into `sink`. With `cancel_after` >= 0 the
// cancellation check turns true from its (cancel_after + 1)-th call on.
inline MailRun RunMail(RecordingSink& sink, std::string_view bytes,
                       std::string mime = "message/rfc822", MessageOptions options = {},
                       int cancel_after = -1) {
  TestFile file("/mail/test", bytes, std::move(mime));
  file.CancelAfter(cancel_after);
  sdk::File f(file.get());
  sdk::Sink s(sink.get());
  MailRun run;
  try {
    run.rc = ProcessMail(f, s, options);
  } catch (const sdk::Error& e) {
    run.rc = e.code();
    run.error = e.what();
  }
  return run;
}

// Every value emitted for `key`, in order.
inline std::vector<std::string> Values(const RecordingSink& sink, std::string_view key) {
  std::vector<std::string> values;
  for (const auto& [k, v] : sink.finding_list) {
    if (k == key) values.push_back(v);
  }
  return values;
}

// The names of the children, in order.
inline std::vector<std::string> ChildNames(const RecordingSink& sink) {
  std::vector<std::string> names;
  for (const auto& child : sink.children) names.push_back(child.name);
  return names;
}

}  // namespace archivum::bundled::mail::testing
