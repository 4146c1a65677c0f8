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
#include "tests/bench/image_pdf.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// About 10 KB a page: a 100 x 100 image.
std::string make_document(int pages) { return signet::bench::image_document(pages, 100, 100); }

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
        signet::pdf::box_at(1, {300, 100, 500, 160}, {"Cachet électronique", "Bench"});
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
