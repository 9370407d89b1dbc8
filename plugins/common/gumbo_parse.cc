#include "common/gumbo_parse.h"

#include <cstdlib>
#include <ctime>

namespace archivum::bundled {

BoundedGumboParse::BoundedGumboParse(std::string_view html, size_t max_memory,
                                     int64_t cpu_deadline_ns,
                                     const std::function<bool()>& cancelled)
    : max_memory_(max_memory), cpu_deadline_ns_(cpu_deadline_ns), cancelled_(cancelled) {
  Run(html);
}

BoundedGumboParse::~BoundedGumboParse() {
  Block* block = blocks_.next;
  while (block != &blocks_) {
    Block* next = block->next;
    std::free(block);
    block = next;
  }
}

int64_t BoundedGumboParse::ThreadCpuNow() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec;
}

// Nothing in this frame has a destructor, so the longjmp from Abandon() skips none.
void BoundedGumboParse::Run(std::string_view html) {
  GumboOptions options = kGumboDefaultOptions;
  options.allocator = &Allocate;
  options.deallocator = &Deallocate;
  options.userdata = this;
  // Nothing reads the error list, and unbounded it holds an entry per parse error.
  options.max_errors = 0;
  if (setjmp(abandon_) != 0) return;  // Abandon() recorded why
  output_ = gumbo_parse_with_options(&options, html.data(), html.size());
}

void BoundedGumboParse::Abandon(Stop why) {
  stop_ = why;
  std::longjmp(abandon_, 1);
}

void* BoundedGumboParse::Allocate(void* self_pointer, size_t size) {
  auto* self = static_cast<BoundedGumboParse*>(self_pointer);
  if (--self->until_poll_ == 0) {
    self->until_poll_ = kPollAllocations;
    const int64_t now = ThreadCpuNow();
    if (now > self->cpu_deadline_ns_) self->Abandon(Stop::kCpu);
    if (now >= self->next_cancel_poll_ns_ && self->cancelled_) {
      self->next_cancel_poll_ns_ = now + kCancelPollNs;
      if (self->cancelled_()) self->Abandon(Stop::kCancelled);
    }
  }
  if (size > self->max_memory_ || self->held_ + sizeof(Block) + size > self->max_memory_) {
    self->Abandon(Stop::kMemory);
  }
  auto* block = static_cast<Block*>(std::malloc(sizeof(Block) + size));
  if (block == nullptr) self->Abandon(Stop::kMemory);
  block->size = sizeof(Block) + size;
  block->prev = &self->blocks_;
  block->next = self->blocks_.next;
  self->blocks_.next->prev = block;
  self->blocks_.next = block;
  self->held_ += block->size;
  return block + 1;
}

void BoundedGumboParse::Deallocate(void* self_pointer, void* pointer) {
  if (pointer == nullptr) return;
  auto* self = static_cast<BoundedGumboParse*>(self_pointer);
  Block* block = static_cast<Block*>(pointer) - 1;
  block->prev->next = block->next;
  block->next->prev = block->prev;
  self->held_ -= block->size;
  std::free(block);
}

}  // namespace archivum::bundled
