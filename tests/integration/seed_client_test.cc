// A client generated from the original design's proto, verbatim, against the daemon: the
// wire-compatibility promise of the API.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "aichemist_archivum.grpc.pb.h"
#include "support/daemon.h"

namespace archivum {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(SeedClient, IngestAndAnalyzeWorkUnchanged) {
  std::string error;
  auto daemon = testing::Daemon::Start(testing::DaemonOptions{}, &error);
  ASSERT_NE(daemon, nullptr) << error;
  const fs::path tree = daemon->dir() / "library";
  testing::WriteFile(tree / "poems/ode-to-joy.txt", "Freude");
  testing::WriteFile(tree / "letters/to-anna.txt", "Dear Anna");

  auto stub = aichemist_archivum::FileManager::NewStub(daemon->channel());
  grpc::ClientContext ictx;
  aichemist_archivum::IngestRequest ireq;
  ireq.set_path(tree.string());
  aichemist_archivum::Empty empty;  // the seed's return type: the summary's fields are unknown
  ASSERT_TRUE(stub->Ingest(&ictx, ireq, &empty).ok());

  grpc::ClientContext actx;
  aichemist_archivum::AnalyzeRequest areq;
  areq.set_query("ode joy");
  aichemist_archivum::AnalyzeResponse aresp;
  ASSERT_TRUE(stub->Analyze(&actx, areq, &aresp).ok());
  ASSERT_EQ(aresp.results_size(), 1);
  EXPECT_EQ(aresp.results(0), (tree / "poems/ode-to-joy.txt").string());

  grpc::ClientContext bctx;
  ireq.set_path("");
  EXPECT_EQ(stub->Ingest(&bctx, ireq, &empty).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST(SeedClient, VendoredSeedProtoIsVerbatim) {
  if (!fs::exists(ARCHIVUM_SHARED_SEED)) {
    GTEST_SKIP() << "no ../shared/seed next to this checkout to compare with";
  }
  EXPECT_EQ(Slurp(ARCHIVUM_SEED_COPY), Slurp(ARCHIVUM_SHARED_SEED));
}

}  // namespace
}  // namespace archivum
