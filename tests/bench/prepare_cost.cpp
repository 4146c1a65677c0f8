// The cost of pdf::prepare() by document size and kind (issue 8: PDF work proportional to the
// change, not the document). Makes its own documents in DIR: classic ones of about 100 KB, 1 MB
// and 10 MB (pages that each draw an incompressible 100 x 100 image), and their object-stream
// versions (qpdf --object-streams=generate); then times prepare() in this process on each,
// rounds interleaved, and prints the medians of wall-clock and CPU time (the CPU time varies
// less on a busy machine), the update's size and its object count.
//
// usage: prepare_cost DIR ROUNDS

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "pdf/prepare.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// A classic PDF (ISO 32000-1 §7.5) of `pages` pages, each drawing its own 100 x 100 grey image
// of random bytes: about 10 KB a page, and three objects.
std::string make_document(int pages) {
    std::mt19937 random(42);
    std::vector<std::string> objects{"<< /Type /Catalog /Pages 2 0 R >>", ""};
    std::string kids;
    for (int page = 0; page < pages; ++page) {
        const std::size_t first = objects.size() + 1;
        kids += std::to_string(first) + " 0 R ";
        objects.push_back("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents " +
                          std::to_string(first + 1) + " 0 R /Resources << /XObject << /Im0 " +
                          std::to_string(first + 2) + " 0 R >> >> >>");
        const std::string content = "q 400 0 0 400 100 200 cm /Im0 Do Q";
        objects.push_back("<< /Length " + std::to_string(content.size()) + " >>\nstream\n" +
                          content + "\nendstream");
        std::string pixels(100 * 100, '\0');
        for (char& pixel : pixels) pixel = static_cast<char>(random() & 0xFF);
        objects.push_back(
            "<< /Type /XObject /Subtype /Image /Width 100 /Height 100 /ColorSpace /DeviceGray "
            "/BitsPerComponent 8 /Length 10000 >>\nstream\n" +
            pixels + "\nendstream");
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
    return pdf + xref + "trailer\n<< /Size " + std::to_string(objects.size() + 1) +
           " /Root 1 0 R >>\nstartxref\n" + std::to_string(at) + "\n%%EOF\n";
}

std::vector<std::uint8_t> read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

double cpu_ms() {
    timespec now{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: prepare_cost DIR ROUNDS\n";
        return 2;
    }
    const std::filesystem::path dir = argv[1];
    const int rounds = std::max(1, std::atoi(argv[2]));
    std::filesystem::create_directories(dir);

    struct Input {
        std::string name;
        std::vector<std::uint8_t> bytes;
        std::vector<double> times;
        std::vector<double> cpu_times;
        std::size_t update = 0;
        std::size_t objects = 0;
    };
    std::vector<Input> inputs;
    for (auto [name, pages] :
         {std::pair{"100k", 10}, std::pair{"1m", 100}, std::pair{"10m", 1000}}) {
        const auto classic = dir / (std::string(name) + "-classic.pdf");
        const auto objstm = dir / (std::string(name) + "-objstm.pdf");
        std::ofstream(classic, std::ios::binary) << make_document(pages);
        const std::string command =
            "qpdf --object-streams=generate " + classic.string() + " " + objstm.string();
        if (std::system(command.c_str()) != 0) {
            std::cerr << "prepare_cost: " << command << " failed\n";
            return 1;
        }
        inputs.push_back({std::string(name) + "-classic", read_file(classic), {}, {}, 0, 0});
        inputs.push_back({std::string(name) + "-objstm", read_file(objstm), {}, {}, 0, 0});
    }

    signet::pdf::PrepareRequest request;
    request.contents_size = 8192;
    request.appearance =
        signet::pdf::Appearance{1, {300, 100, 500, 160}, {"Cachet électronique", "Bench"}};
    const std::regex header(R"((?:^|\n)\d+ \d+ obj)");
    for (int round = -1; round < rounds; ++round) {  // round -1 warms up
        for (Input& input : inputs) {
            request.signing_time = std::chrono::system_clock::now();
            const auto start = Clock::now();
            const double cpu_start = cpu_ms();
            auto prepared = signet::pdf::prepare(input.bytes, request);
            const double cpu_took = cpu_ms() - cpu_start;
            const double took =
                std::chrono::duration<double, std::milli>(Clock::now() - start).count();
            if (!prepared) {
                std::cerr << "prepare_cost: " << input.name << ": " << prepared.error().message
                          << "\n";
                return 1;
            }
            if (round < 0) {
                const std::string update(prepared->update.begin(), prepared->update.end());
                input.update = update.size();
                input.objects = static_cast<std::size_t>(
                    std::distance(std::sregex_iterator(update.begin(), update.end(), header),
                                  std::sregex_iterator()));
            } else {
                input.times.push_back(took);
                input.cpu_times.push_back(cpu_took);
            }
        }
    }
    std::printf(
        "prepare(), median of %d rounds; each update holds a %zu-byte /Contents placeholder\n",
        rounds, 2 * request.contents_size + 2);
    std::printf("%-12s %12s %10s %10s %14s %8s\n", "document", "bytes", "wall ms", "CPU ms",
                "update bytes", "objects");
    for (const Input& input : inputs) {
        std::printf("%-12s %12zu %10.2f %10.2f %14zu %8zu\n", input.name.c_str(),
                    input.bytes.size(), median(input.times), median(input.cpu_times), input.update,
                    input.objects);
    }
    return 0;
}
