#include "tests/support/hostile_pdfs.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <vector>

namespace signet::pdf::test {

// A classic file (ISO 32000-1 §7.5): objects[i] is object i + 1, object 1 the catalog.
std::string classic_pdf(const std::vector<std::string>& objects, const std::string& trailer_extra) {
    std::string pdf = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
    std::vector<std::size_t> offsets;
    for (std::size_t i = 0; i < objects.size(); ++i) {
        offsets.push_back(pdf.size());
        pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
    }
    std::size_t xref = pdf.size();
    pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
    for (std::size_t offset : offsets) {
        char line[32];
        std::snprintf(line, sizeof line, "%010zu 00000 n \n", offset);
        pdf += line;
    }
    pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R " + trailer_extra +
           " >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
    return pdf;
}

namespace {


const char* const catalog = "<< /Type /Catalog /Pages 2 0 R >>";

// zlib (RFC 1950) data of `size` zeros, deflated piece by piece: the bomb never exists inflated
// in the test process.
std::string deflated_zeros(std::size_t size) {
    z_stream stream{};
    if (deflateInit(&stream, Z_BEST_COMPRESSION) != Z_OK) throw std::runtime_error("deflateInit");
    std::vector<unsigned char> zeros(std::size_t{1} << 20, 0);
    std::vector<unsigned char> out(std::size_t{1} << 16);
    std::string compressed;
    std::size_t left = size;
    int flush = Z_NO_FLUSH;
    do {
        std::size_t piece = std::min(left, zeros.size());
        left -= piece;
        flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
        stream.next_in = zeros.data();
        stream.avail_in = static_cast<uInt>(piece);
        do {
            stream.next_out = out.data();
            stream.avail_out = static_cast<uInt>(out.size());
            deflate(&stream, flush);
            compressed.append(reinterpret_cast<const char*>(out.data()),
                              out.size() - stream.avail_out);
        } while (stream.avail_out == 0);
    } while (flush != Z_FINISH);
    deflateEnd(&stream);
    return compressed;
}

}  // namespace

std::string parent_loop_pdf() {
    return classic_pdf({catalog, "<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] >>",
                        "<< /Type /Page /Parent 3 0 R >>"});
}

std::string kids_loop_pdf() {
    return classic_pdf({catalog, "<< /Type /Pages /Kids [2 0 R] /Count 1 >>"});
}

std::string deep_page_tree_pdf(std::size_t depth) {
    // Objects 2 .. depth + 1 are the /Pages chain, object depth + 2 the page.
    std::vector<std::string> objects{catalog};
    for (std::size_t level = 0; level < depth; ++level) {
        std::string parent = level == 0 ? "" : " /Parent " + std::to_string(level + 1) + " 0 R";
        objects.push_back("<< /Type /Pages /Kids [" + std::to_string(level + 3) + " 0 R] /Count 1" +
                          parent + " >>");
    }
    objects.push_back("<< /Type /Page /Parent " + std::to_string(depth + 1) +
                      " 0 R /MediaBox [0 0 595 842] >>");
    return classic_pdf(objects);
}

std::string nested_arrays_pdf(std::size_t depth) {
    std::string nested = std::string(depth, '[') + std::string(depth, ']');
    return classic_pdf({"<< /Type /Catalog /Pages 2 0 R /Nested " + nested + " >>",
                        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"});
}

std::string xref_stream_bomb_pdf(std::size_t inflated_bytes) {
    std::string pdf = "%PDF-1.5\n%\xE2\xE3\xCF\xD3\n";
    const std::vector<std::string> objects{
        catalog, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"};
    for (std::size_t i = 0; i < objects.size(); ++i) {
        pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
    }
    std::size_t xref = pdf.size();
    std::string data = deflated_zeros(inflated_bytes);
    pdf += "4 0 obj\n<< /Type /XRef /Size 5 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length " +
           std::to_string(data.size()) + " >>\nstream\n" + data + "\nendstream\nendobj\n";
    pdf += "startxref\n" + std::to_string(xref) + "\n%%EOF\n";
    return pdf;
}

std::string flat_page_tree_pdf(std::size_t pages) {
    std::vector<std::string> objects{"<< /Type /Catalog /Pages 2 0 R >>", ""};
    std::string kids;
    for (std::size_t i = 0; i < pages; ++i) {
        kids += std::to_string(i + 3) + " 0 R ";
        objects.push_back("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>");
    }
    objects[1] = "<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(pages) + " >>";
    return classic_pdf(objects);
}

}  // namespace signet::pdf::test
