// The PDF preparation a PDF worker runs on a client's document (pdf/worker/worker_main.cpp,
// serve_one, JobKind::prepare): prepare_update over the bytes in place, then the parent's
// check of what came back (pdf/worker/prepared_check.hpp) and the byte patch of a signature
// into the placeholder (pdf::signed_file), as jobs/key_use.cpp does. The request is the one a
// visible seal sends: a box with two lines of text on page 1 and a CMS placeholder; the
// signature patched in is a fixed byte string, since the CMS does not depend on the document's
// structure, only on its digest.
//
// PoDoFo itself is Debian's build, not instrumented: libFuzzer's coverage is that of signet's
// own code, and ASan sees PoDoFo's heap through its allocator interception only.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "pdf/prepare.hpp"
#include "pdf/worker/prepared_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace signet::pdf;
    const std::span<const std::uint8_t> document(data, size);
    PrepareRequest request;
    request.contents_size = 4096;
    request.signing_time = std::chrono::system_clock::time_point(std::chrono::seconds(1798761600));
    request.reason = "fuzz";
    request.appearance = box_at(1, {36, 36, 236, 96}, {"Sealed by signet", "Zürich, été"});
    auto prepared = prepare_update(document, request);
    if (!prepared) return 0;
    prepared->original_size = size;
    if (!check_prepared(size, request.contents_size, *prepared)) return 0;
    const std::vector<std::uint8_t> cms(512, 0x30);
    (void)signed_file(std::vector<std::uint8_t>(document.begin(), document.end()),
                      std::move(*prepared), cms);
    return 0;
}
