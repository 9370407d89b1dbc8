// AdmissionCounter: a bounded number of tickets, released by RAII.
#include "core/admission.h"

#include <gtest/gtest.h>

#include <vector>

namespace archivum::core {
namespace {

TEST(AdmissionCounterTest, AdmitsUpToTheLimitAndReleasesOnDestruction) {
  AdmissionCounter counter(2);
  auto a = counter.TryEnter();
  auto b = counter.TryEnter();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(counter.TryEnter(), nullptr);
  EXPECT_EQ(counter.held(), 2u);
  a.reset();
  EXPECT_EQ(counter.held(), 1u);
  auto c = counter.TryEnter();
  EXPECT_NE(c, nullptr);
  EXPECT_EQ(counter.TryEnter(), nullptr);
}

TEST(AdmissionCounterTest, ZeroAdmitsNothing) {
  AdmissionCounter counter(0);
  EXPECT_EQ(counter.TryEnter(), nullptr);
}

// A live reload lowers or raises the limit: tickets held stay valid, later calls see the new one.
TEST(AdmissionCounterTest, ANewLimitAppliesToLaterAdmissionsOnly) {
  AdmissionCounter counter(2);
  auto a = counter.TryEnter();
  auto b = counter.TryEnter();
  counter.set_limit(1);
  EXPECT_EQ(counter.limit(), 1u);
  EXPECT_EQ(counter.TryEnter(), nullptr);
  a.reset();
  EXPECT_EQ(counter.TryEnter(), nullptr);  // b still holds the one slot
  b.reset();
  auto c = counter.TryEnter();
  EXPECT_NE(c, nullptr);
  counter.set_limit(3);
  auto d = counter.TryEnter();
  auto e = counter.TryEnter();
  EXPECT_NE(d, nullptr);
  EXPECT_NE(e, nullptr);
  EXPECT_EQ(counter.TryEnter(), nullptr);
}

}  // namespace
}  // namespace archivum::core
