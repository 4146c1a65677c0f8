#define BOOST_TEST_MODULE signet_pdf
#include <boost/test/unit_test.hpp>

// LeakSanitizer (SIGNET_SANITIZE=ON): PoDoFo 0.9.8 leaks 16 bytes of its own (operator new[]
// inside PdfEncrypt, reached from PdfParser::ReadObjects) for every encrypted file it reads.
// libpodofo has no frame pointers, so the leak's stack stops inside libpodofo: suppress by
// module. Objects our code allocates have our frame on top and are still reported. Unused in
// other builds.
extern "C" const char* __lsan_default_suppressions();
extern "C" const char* __lsan_default_suppressions() { return "leak:libpodofo.so\n"; }
