#include "tests/integration/support/pdf_samples.hpp"

#include <stdexcept>
#include <vector>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace signet::test {

namespace {

void must(const RunResult& result, const std::string& what) {
    if (result.exit_code != 0) throw std::runtime_error(what + " failed: " + result.output);
}

}  // namespace

std::filesystem::path ps2pdf_sample(const std::filesystem::path& dir, const std::string& name,
                                    int pages, bool uncompressed) {
    std::string ps = "%!PS-Adobe-3.0\n/Helvetica findfont 11 scalefont setfont\n";
    for (int page = 1; page <= pages; ++page) {
        for (int line = 0; line < 40; ++line) {
            ps += "72 " + std::to_string(760 - line * 16) + " moveto (Lettre de mission " +
                  std::to_string(page) + "." + std::to_string(line) +
                  " - exercice comptable et fiscal) show\n";
        }
        ps += "showpage\n";
    }
    auto source = dir / (name + ".ps");
    auto pdf = dir / (name + ".pdf");
    write_file(source, ps);
    must(run({"ps2pdf", source.string(), pdf.string()}), "ps2pdf");
    if (!uncompressed) return pdf;
    auto expanded = dir / (name + "-expanded.pdf");
    return qpdf_rewrite(pdf, expanded, {"--stream-data=uncompress"});
}

std::filesystem::path groff_sample(const std::filesystem::path& dir) {
    auto source = dir / "groff.ms";
    auto pdf = dir / "groff.pdf";
    write_file(source, ".TL\nLettre de mission\n.PP\nLe cabinet accepte la mission de "
                       "présentation des comptes annuels.\n.bp\n.PP\nSeconde page.\n");
    auto result = run({"sh", "-c", "groff -ms -Tpdf '" + source.string() + "' > '" + pdf.string() + "'"});
    must(result, "groff");
    return pdf;
}

std::filesystem::path qpdf_rewrite(const std::filesystem::path& input,
                                   const std::filesystem::path& output,
                                   const std::vector<std::string>& options) {
    std::vector<std::string> argv = {"qpdf"};
    argv.insert(argv.end(), options.begin(), options.end());
    argv.push_back(input.string());
    argv.push_back(output.string());
    auto result = run(argv);
    // qpdf exits 3 for warnings, which still produce a file.
    if (result.exit_code != 0 && result.exit_code != 3) {
        throw std::runtime_error("qpdf failed: " + result.output);
    }
    return output;
}

const std::string& sample_letter() {
    static const std::string bytes = [] {
        static TempDir folder{"signet-sample-letter"};
        return read_file(ps2pdf_sample(folder.path(), "lettre", 1));
    }();
    return bytes;
}

}  // namespace signet::test
