#pragma once
// Benchmark documents made of images (issues 8 and 19): a classic PDF (ISO 32000-1 §7.5) of
// `pages` pages, each drawing its own `width` x `height` grey image of random bytes
// (incompressible, uncompressed), three objects a page. prepare_cost uses small images; a scan
// of a few dozen pages at 150 dpi (1240 x 1754) is what a firm uploads as a large document.

#include <cstdio>
#include <random>
#include <string>
#include <vector>

namespace signet::bench {

inline std::string image_document(int pages, int width, int height) {
    std::mt19937 random(42);
    std::vector<std::string> objects{"<< /Type /Catalog /Pages 2 0 R >>", ""};
    std::string kids;
    const std::string size = "/Width " + std::to_string(width) + " /Height " + std::to_string(height);
    for (int page = 0; page < pages; ++page) {
        const std::size_t first = objects.size() + 1;
        kids += std::to_string(first) + " 0 R ";
        objects.push_back("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents " +
                          std::to_string(first + 1) + " 0 R /Resources << /XObject << /Im0 " +
                          std::to_string(first + 2) + " 0 R >> >> >>");
        const std::string content = "q 595 0 0 842 0 0 cm /Im0 Do Q";
        objects.push_back("<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content +
                          "\nendstream");
        std::string pixels(static_cast<std::size_t>(width) * static_cast<std::size_t>(height), '\0');
        for (char& pixel : pixels) pixel = static_cast<char>(random() & 0xFF);
        objects.push_back("<< /Type /XObject /Subtype /Image " + size +
                          " /ColorSpace /DeviceGray /BitsPerComponent 8 /Length " +
                          std::to_string(pixels.size()) + " >>\nstream\n" + pixels + "\nendstream");
    }
    objects[1] = "<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(pages) + " >>";
    std::string pdf = "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n";
    std::string xref = "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
    for (std::size_t i = 0; i < objects.size(); ++i) {
        char entry[21];
        std::snprintf(entry, sizeof entry, "%010zu 00000 n \n", pdf.size());
        xref.append(entry, 20);
        pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
    }
    const std::size_t at = pdf.size();
    return pdf + xref + "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
           std::to_string(at) + "\n%%EOF\n";
}

}  // namespace signet::bench
