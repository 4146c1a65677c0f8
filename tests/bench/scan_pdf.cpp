// A scan-like PDF for performance.sh (issue 19's "~50 MB scan"): PAGES pages of 150 dpi A4 grey
// images (1240 x 1754 random bytes, about 2.2 MB a page), written to OUT.
//
// usage: scan_pdf OUT PAGES

#include <cstdlib>
#include <fstream>
#include <iostream>

#include "tests/bench/image_pdf.hpp"

int main(int argc, char** argv) {
    const int pages = argc == 3 ? std::atoi(argv[2]) : 0;
    if (pages < 1 || pages > 10000) {
        std::cerr << "usage: scan_pdf OUT PAGES (1..10000)\n";
        return 2;
    }
    std::ofstream out(argv[1], std::ios::binary);
    out << signet::bench::image_document(pages, 1240, 1754);
    out.close();
    if (!out) {
        std::cerr << "scan_pdf: cannot write " << argv[1] << "\n";
        return 1;
    }
    return 0;
}
