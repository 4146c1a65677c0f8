#include "tests/integration/support/validators.hpp"

#include <sstream>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace signet::test {
namespace {

int count(const std::string& text, const std::string& needle) {
    int n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

std::string hex_to_bytes(std::string_view hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
    }
    return out;
}

}  // namespace

PdfsigReport pdfsig(const std::filesystem::path& nss_db, const std::filesystem::path& pdf) {
    auto result = run({"pdfsig", "-nssdir", "sql:" + nss_db.string(), pdf.string()});
    PdfsigReport report;
    report.exit_code = result.exit_code;
    report.output = result.output;
    report.signatures = count(result.output, "Signature #");
    report.valid = count(result.output, "Signature Validation: Signature is Valid.");
    report.trusted = count(result.output, "Certificate Validation: Certificate is Trusted.");
    return report;
}

std::pair<int, std::string> qpdf_check(const std::filesystem::path& pdf) {
    auto result = run({"qpdf", "--check", pdf.string()});
    return {result.exit_code, result.output};
}

CmsCheck openssl_verify_all(const std::filesystem::path& pdf, const std::filesystem::path& ca,
                            const std::filesystem::path& work_dir) {
    CmsCheck check;
    std::string bytes = read_file(pdf);
    int index = 0;
    for (auto at = bytes.find("/ByteRange"); at != std::string::npos;
         at = bytes.find("/ByteRange", at + 1)) {
        ++index;
        std::istringstream numbers(bytes.substr(bytes.find('[', at) + 1, 64));
        std::size_t start1 = 0, length1 = 0, start2 = 0, length2 = 0;
        numbers >> start1 >> length1 >> start2 >> length2;
        // An earlier revision's signature ends where its revision ended, before the file's end.
        if (!numbers || start1 != 0 || start2 <= length1 + 2 || start2 + length2 > bytes.size()) {
            check.failures.push_back("signature " + std::to_string(index) + ": bad ByteRange");
            continue;
        }
        std::string hex = bytes.substr(length1 + 1, start2 - length1 - 2);
        std::string der = hex_to_bytes(hex);
        auto sig = work_dir / ("sig-" + std::to_string(index) + ".der");
        auto content = work_dir / ("content-" + std::to_string(index) + ".bin");
        write_file(sig, der);
        write_file(content, bytes.substr(0, length1) + bytes.substr(start2, length2));
        auto result = run({"openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in",
                           sig.string(), "-content", content.string(), "-CAfile", ca.string(),
                           "-out", "/dev/null"});
        if (result.exit_code == 0) {
            ++check.verified;
        } else {
            check.failures.push_back("signature " + std::to_string(index) + ": " + result.output);
        }
    }
    return check;
}

}  // namespace signet::test
