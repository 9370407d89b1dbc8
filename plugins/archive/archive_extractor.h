// The archive plugin's work: reads an archive (or a single-file compressed stream) from the bytes
// of a file with libarchive and hands every regular-file member to the host as a streamed child
// (ABI 1.3 begin_child / write_child / end_child), without ever holding a whole member or copying
// the input.
//
// Thread safety: ExtractMembers keeps all its state (one libarchive reader) on the stack of the
// call, so concurrent calls on different files are safe.
#pragma once

#include <cstddef>
#include <string_view>

#include "archivum/plugin.hpp"

namespace archivum::bundled::archives {

// The largest piece of a member handed to one write_child call.
inline constexpr size_t kMaxChildWrite = size_t{1} << 20;

// Formats read: ZIP, TAR (ustar, pax, GNU), 7z, RAR (4 and 5), cpio, ISO 9660, ar (and with it
// .deb), each plain or inside gzip, bzip2, xz, lzma, lzip, zstd, lz4 or compress (.Z); and a
// single compressed stream that holds no archive, whose one member is named by
// SingleFileMemberName(file.display_name()). Only libarchive's built-in decoders are used, never
// an external program.
//
// Output, for each regular-file member in archive order (directories, links, devices and tar
// hard links without data are not children):
//   begin_child(path as the archive states it, repaired to UTF-8; "member-N" for the N-th entry
//   if it has no name or the host refuses the name), child_finding "modified" (the member's
//   mtime, "YYYY-MM-DDTHH:MM:SSZ") when stored, then either
//     - child_tag "encrypted" and no bytes, for a member whose data is encrypted; or
//     - its bytes in write_child pieces of at most kMaxChildWrite; if its data turns out to be
//       unreadable, child_finding "damaged" (libarchive's message) with the bytes read so far;
//   then end_child.
// Host refusals: begin_child RESOURCE_EXHAUSTED stops the walk (the host records its limit);
// write_child RESOURCE_EXHAUSTED drops that member (the reader skips the rest of its data, without
// decompressing it where the format allows) and the walk goes on.
// On the container: finding "members" (children the host accepted), finding "damaged" with
// libarchive's message when the archive breaks off after at least one member, tag "encrypted"
// when the archive's headers are encrypted (nothing can be listed; still ARCHIVUM_OK).
//
// Returns ARCHIVUM_OK, or ARCHIVUM_CANCELLED once file.cancelled() (polled per member and per
// block). Throws sdk::Error(ARCHIVUM_ERROR, "not a readable archive: ...") for input that is not
// an archive of these formats or breaks off before any member was handed over, and
// sdk::Error(ARCHIVUM_ERROR, ...) when the host refuses output for a reason other than a limit.
//
// Memory: the input is read in place through a callback over file.bytes() (never copied), and
// file.Release() is called behind the read position; beyond the decoders' own state (bounded by
// libarchive, e.g. at most 1 GiB of xz dictionary, usually a few MB) at most one block is held.
archivum_rc ExtractMembers(const sdk::File& file, sdk::Sink& sink);

// Throws sdk::Error if this libarchive cannot read every format above with built-in code (a
// build that would fall back to running external decompressors, which the sandbox forbids).
void CheckLibarchive();

}  // namespace archivum::bundled::archives
