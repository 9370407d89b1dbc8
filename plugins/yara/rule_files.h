// The rule files a `rules` setting names.
//
// Thread safety: pure function (reads the file system).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace archivum::bundled::yara {

// Expands `entries` (paths, as the host passes them: absolute, see the descriptor's path_keys)
// into rule files, in order: a file is taken whatever its name; a directory contributes its
// *.yar and *.yara files (extension in any case), recursively, sorted by path so that the order,
// and with it which of two clashing rules is reported, is the same on every load. Symbolic links
// to files count as files; links to directories are not followed inside a directory.
// Throws sdk::Error(ARCHIVUM_INVALID_ARGUMENT) naming the entry when it does not exist, cannot be
// listed, is neither a file nor a directory, or is a directory without any rule file: each of
// these is a configuration mistake the operator wants to hear about, not an empty rule set.
std::vector<std::filesystem::path> ListRuleFiles(const std::vector<std::string>& entries);

}  // namespace archivum::bundled::yara
