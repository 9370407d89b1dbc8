// A message's header fields as findings in the metadata vocabulary of plugin-api/README.md.
//
// Thread safety: as GMime objects (see gmime_util.h).
#pragma once

#include <gmime/gmime.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "archivum/plugin.hpp"

namespace archivum::bundled::mail {

// Emits a finding. Returns false if the host takes no more findings (RESOURCE_EXHAUSTED);
// throws sdk::Error for any other refusal.
bool EmitFinding(sdk::Sink& sink, std::string_view key, std::string_view value);

// At most this many addresses per field become findings.
inline constexpr size_t kMaxAddresses = 1000;
// Longer subjects and Message-IDs are cut (at a character boundary).
inline constexpr size_t kMaxHeaderValueBytes = 4096;

struct HeaderFindings {
  std::string subject;     // the decoded subject as emitted; empty if none
  bool truncated = false;  // a value was cut or addresses were left out (see the limits above)
};

// Emits, for each that `message` states: "from", "to", "cc" (one finding per address, as
// "Name <addr>" or "addr", groups flattened to their members, RFC 2047 words decoded),
// "subject" (decoded, white space runs folded to one space), "date" (UTC,
// "YYYY-MM-DDTHH:MM:SSZ") and "message_id" (without angle brackets). Values are valid UTF-8.
HeaderFindings EmitHeaderFindings(GMimeMessage* message, sdk::Sink& sink);

// `text` as valid UTF-8 with runs of white space (space, tab, CR, LF) folded to one space and
// none at either end, cut to at most `max_bytes` at a character boundary (then *cut is set).
std::string CleanHeaderText(std::string_view text, size_t max_bytes, bool* cut);

// `date` in UTC as "YYYY-MM-DDTHH:MM:SSZ".
std::string FormatUtc(GDateTime* date);

}  // namespace archivum::bundled::mail
