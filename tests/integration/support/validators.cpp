#include "tests/integration/support/validators.hpp"

#include <memory>
#include <optional>
#include <sstream>

#include <openssl/cms.h>
#include <openssl/x509.h>

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

namespace {

// Each signature's ByteRange (or nullopt when it is malformed) in file order. Document
// time-stamps (PAdES B-LTA) are not signatures: tests/support/ltv_checks.hpp checks them.
struct SignedRange {
    std::size_t length1 = 0, start2 = 0, length2 = 0;
};
bool document_timestamp_at(const std::string& bytes, std::size_t at) {
    const auto begin = bytes.rfind(" obj", at);
    const auto end = bytes.find("endobj", at);
    const auto type = bytes.find("/DocTimeStamp", begin == std::string::npos ? 0 : begin);
    return type != std::string::npos && type < end;
}
std::vector<std::optional<SignedRange>> byte_ranges(const std::string& bytes) {
    std::vector<std::optional<SignedRange>> out;
    for (auto at = bytes.find("/ByteRange"); at != std::string::npos; at = bytes.find("/ByteRange", at + 1)) {
        if (document_timestamp_at(bytes, at)) continue;
        std::istringstream numbers(bytes.substr(bytes.find('[', at) + 1, 64));
        std::size_t start1 = 0;
        SignedRange range;
        numbers >> start1 >> range.length1 >> range.start2 >> range.length2;
        // An earlier revision's signature ends where its revision ended, before the file's end.
        const bool good = numbers && start1 == 0 && range.start2 > range.length1 + 2 &&
                          range.start2 + range.length2 <= bytes.size();
        out.push_back(good ? std::optional<SignedRange>(range) : std::nullopt);
    }
    return out;
}

}  // namespace

TimestampCheck verify_signature_timestamps(const std::filesystem::path& pdf, const std::filesystem::path& ca,
                                           const std::filesystem::path& work_dir) {
    TimestampCheck check;
    const std::string bytes = read_file(pdf);
    int index = 0;
    for (const auto& range : byte_ranges(bytes)) {
        const std::string name = "signature " + std::to_string(++index);
        if (!range) {
            check.failures.push_back(name + ": bad ByteRange");
            continue;
        }
        const std::string der = hex_to_bytes(bytes.substr(range->length1 + 1, range->start2 - range->length1 - 2));
        const auto* in = reinterpret_cast<const unsigned char*>(der.data());
        std::unique_ptr<CMS_ContentInfo, decltype(&CMS_ContentInfo_free)> cms(
            d2i_CMS_ContentInfo(nullptr, &in, static_cast<long>(der.size())), CMS_ContentInfo_free);
        STACK_OF(CMS_SignerInfo)* infos = cms ? CMS_get0_SignerInfos(cms.get()) : nullptr;
        if (infos == nullptr || sk_CMS_SignerInfo_num(infos) != 1) {
            check.failures.push_back(name + ": not a CMS with one SignerInfo");
            continue;
        }
        CMS_SignerInfo* si = sk_CMS_SignerInfo_value(infos, 0);
        const int at = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, -1);
        if (at < 0) {
            check.failures.push_back(name + ": no signature time-stamp");
            continue;
        }
        const ASN1_TYPE* value = X509_ATTRIBUTE_get0_type(CMS_unsigned_get_attr(si, at), 0);
        if (value == nullptr || value->type != V_ASN1_SEQUENCE) {
            check.failures.push_back(name + ": the time-stamp attribute holds no token");
            continue;
        }
        const ASN1_OCTET_STRING* signature = CMS_SignerInfo_get0_signature(si);
        auto signature_file = work_dir / ("signature-value-" + std::to_string(index) + ".bin");
        auto token_file = work_dir / ("token-" + std::to_string(index) + ".der");
        write_file(signature_file, std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(signature)),
                                               static_cast<std::size_t>(ASN1_STRING_length(signature))));
        write_file(token_file, std::string(reinterpret_cast<const char*>(value->value.sequence->data),
                                           static_cast<std::size_t>(value->value.sequence->length)));
        // The token's imprint is over the signature value: `-data` is exactly those bytes.
        auto verified = run({"openssl", "ts", "-verify", "-data", signature_file.string(), "-in",
                             token_file.string(), "-token_in", "-CAfile", ca.string()});
        if (verified.exit_code != 0) {
            check.failures.push_back(name + ": " + verified.output);
            continue;
        }
        ++check.verified;
        auto text = run({"openssl", "ts", "-reply", "-in", token_file.string(), "-token_in", "-text"});
        check.texts.push_back(text.output);
    }
    return check;
}

CmsCheck openssl_verify_all(const std::filesystem::path& pdf, const std::filesystem::path& ca,
                            const std::filesystem::path& work_dir) {
    CmsCheck check;
    std::string bytes = read_file(pdf);
    int index = 0;
    for (const auto& range : byte_ranges(bytes)) {
        ++index;
        if (!range) {
            check.failures.push_back("signature " + std::to_string(index) + ": bad ByteRange");
            continue;
        }
        const std::size_t length1 = range->length1, start2 = range->start2, length2 = range->length2;
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
