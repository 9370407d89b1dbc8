// Recorded Analyze answers: query text -> the serialized AnalyzeResponse the daemon gave for it.
// `archivum_bench_grpc --record FILE` writes them; `archivum_bench_ceiling --answers FILE`
// replays them, so that the transport ceiling carries the bytes the daemon's answers carry.
//
// File format (bench-internal, written and read on the same machine): a sequence of records,
// each a query and an answer, each of those a 4-byte little-endian length then that many bytes.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <unordered_map>

namespace archivum::bench {

using RecordedAnswers = std::unordered_map<std::string, std::string>;

namespace detail {

inline void PutLength(std::ofstream& out, size_t n) {
  const auto v = static_cast<uint32_t>(n);
  const char bytes[4] = {static_cast<char>(v & 0xff), static_cast<char>((v >> 8) & 0xff),
                         static_cast<char>((v >> 16) & 0xff), static_cast<char>((v >> 24) & 0xff)};
  out.write(bytes, 4);
}

// Reads one length-prefixed string; false at a clean end of file (nothing read) or on a
// truncated record (*truncated set).
inline bool GetString(std::ifstream& in, std::string* s, bool* truncated) {
  unsigned char bytes[4];
  in.read(reinterpret_cast<char*>(bytes), 4);
  if (in.gcount() == 0) return false;
  if (in.gcount() != 4) {
    *truncated = true;
    return false;
  }
  const uint32_t n = bytes[0] | (uint32_t{bytes[1]} << 8) | (uint32_t{bytes[2]} << 16) |
                     (uint32_t{bytes[3]} << 24);
  // Answers are at most a page of hits; anything near gRPC's message limit is not a recording.
  constexpr uint32_t kMaxBytes = 64u << 20;
  if (n > kMaxBytes) {
    *truncated = true;
    return false;
  }
  s->resize(n);
  in.read(s->data(), n);
  if (static_cast<uint32_t>(in.gcount()) != n) {
    *truncated = true;
    return false;
  }
  return true;
}

}  // namespace detail

// Writes every answer; false with *error set if the file cannot be written.
inline bool WriteRecordedAnswers(const std::string& file, const RecordedAnswers& answers,
                                 std::string* error) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  for (const auto& [query, answer] : answers) {
    detail::PutLength(out, query.size());
    out.write(query.data(), static_cast<std::streamsize>(query.size()));
    detail::PutLength(out, answer.size());
    out.write(answer.data(), static_cast<std::streamsize>(answer.size()));
  }
  out.close();
  if (!out) {
    *error = "cannot write " + file;
    return false;
  }
  return true;
}

// Reads a file WriteRecordedAnswers wrote; false with *error set if it cannot be read or ends
// inside a record.
inline bool ReadRecordedAnswers(const std::string& file, RecordedAnswers* answers,
                                std::string* error) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    *error = "cannot read " + file;
    return false;
  }
  bool truncated = false;
  std::string query;
  std::string answer;
  while (detail::GetString(in, &query, &truncated)) {
    if (!detail::GetString(in, &answer, &truncated)) {
      truncated = true;
      break;
    }
    (*answers)[query] = answer;
  }
  if (truncated) {
    *error = file + ": truncated record (not a file of recorded answers?)";
    return false;
  }
  return true;
}

}  // namespace archivum::bench
