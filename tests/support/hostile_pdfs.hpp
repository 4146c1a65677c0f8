#pragma once
// Hostile PDFs for the worker tests, made at run time: each one attacks PoDoFo 0.9.8 in a way
// a worker must survive (a crash, a hang, a memory bomb) or refuse cleanly. Shared by the unit
// tests (tests/unit/pdf/worker_pool_test.cpp) and the integration tests.

#include <cstddef>
#include <string>
#include <vector>

namespace signet::pdf::test {

// A classic file (ISO 32000-1 §7.5) of `objects`, object i + 1 being objects[i] and object 1
// the catalog; `trailer_extra` goes into the trailer dictionary.
std::string classic_pdf(const std::vector<std::string>& objects, const std::string& trailer_extra = {});

// A page whose /Parent is itself and which has no /MediaBox of its own: looking up an
// inherited key (ISO 32000-1 §7.7.3.4) walks /Parent forever.
std::string parent_loop_pdf();
// A page tree whose /Kids holds its own root: walking the tree (ISO 32000-1 §7.7.3.2) never
// reaches a page.
std::string kids_loop_pdf();
// A page tree `depth` levels deep: a chain of /Pages nodes, one /Kids each, then one page.
std::string deep_page_tree_pdf(std::size_t depth);
// A valid document of `pages` blank pages under one /Pages node: nothing wrong with it, but
// PoDoFo spends about 0.7 s of CPU per 100,000 pages on it (2 s for 300,000, 32 MB): what a
// worker's CPU budget and deadline must stop.
std::string flat_page_tree_pdf(std::size_t pages);
// A catalog entry of `depth` nested arrays, "[[[[...]]]]".
std::string nested_arrays_pdf(std::size_t depth);
// A cross-reference stream (ISO 32000-1 §7.5.8) whose FlateDecode data inflates to
// `inflated_bytes` bytes of zeros from about a thousandth of that.
std::string xref_stream_bomb_pdf(std::size_t inflated_bytes);

}  // namespace signet::pdf::test
