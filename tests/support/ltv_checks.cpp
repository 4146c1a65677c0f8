#include "tests/support/ltv_checks.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <set>

#include <nlohmann/json.hpp>

#include "base/base64.hpp"
#include "tests/support/process.hpp"

namespace signet::test {
namespace {

using Bytes = std::vector<std::uint8_t>;
using nlohmann::json;

void write(const std::filesystem::path& path, const Bytes& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

Bytes read(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

Bytes from_hex(const std::string& hex) {
    Bytes out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    return out;
}

// The length of the DER element at the start of `bytes` (header included); 0 if it is not one.
std::size_t der_length(const Bytes& bytes) {
    if (bytes.size() < 2) return 0;
    if (bytes[1] < 0x80) return 2U + bytes[1];
    const std::size_t octets = bytes[1] & 0x7F;
    if (octets == 0 || octets > 4 || bytes.size() < 2 + octets) return 0;
    std::size_t length = 0;
    for (std::size_t i = 0; i < octets; ++i) length = (length << 8) | bytes[2 + i];
    return 2 + octets + length;
}

std::string sha1_upper_hex(const Bytes& bytes) {
    std::array<unsigned char, 20> digest{};
    EVP_Digest(bytes.data(), bytes.size(), digest.data(), nullptr, EVP_sha1(), nullptr);
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : digest) {
        out += hex[c >> 4];
        out += hex[c & 0x0F];
    }
    return out;
}

// qpdf's JSON v2: objects keyed "obj:N G R", references as "N G R" strings.
class Objects {
public:
    explicit Objects(const json& qpdf) : objects_(qpdf.at(1)) {}

    const json* get(const json& value) const {
        if (value.is_string() && value.get<std::string>().ends_with(" R")) {
            auto found = objects_.find("obj:" + value.get<std::string>());
            if (found == objects_.end()) return nullptr;
            if (found->contains("value")) return &found->at("value");
            return &*found;  // a stream: {"stream": {...}}
        }
        return &value;
    }
    Bytes stream_data(const json& reference) const {
        const json* stream = get(reference);
        if (stream == nullptr || !stream->contains("stream")) return {};
        auto decoded = signet::base64_decode(stream->at("stream").at("data").get<std::string>());
        return decoded ? Bytes(decoded->begin(), decoded->end()) : Bytes{};
    }
    const json& all() const { return objects_; }

private:
    const json& objects_;
};

}  // namespace

LtvReport check_ltv(const std::filesystem::path& pdf, const std::filesystem::path& anchors,
                    const std::filesystem::path& work) {
    LtvReport report;
    std::filesystem::create_directories(work);
    auto check = run({"qpdf", "--check", pdf.string()});
    if (check.exit_code != 0) report.problems.push_back("qpdf --check fails: " + check.output);
    auto dumped = run({"qpdf", "--json=2", "--json-stream-data=inline", "--json-key=qpdf", pdf.string()});
    if (dumped.exit_code != 0) {
        report.problems.push_back("qpdf --json fails: " + dumped.output);
        return report;
    }
    const json document = json::parse(dumped.output.substr(dumped.output.find('{')));
    const Objects objects(document.at("qpdf"));
    const json* trailer = objects.get(objects.all().at("trailer").at("value").at("/Root"));
    const json* dss = trailer != nullptr && trailer->contains("/DSS") ? objects.get(trailer->at("/DSS")) : nullptr;

    // The DSS certificates and the anchors, as one PEM bundle for openssl.
    const std::filesystem::path bundle = work / "bundle.pem";
    std::filesystem::copy_file(anchors, bundle, std::filesystem::copy_options::overwrite_existing);
    std::set<std::string> vri_keys;
    if (dss != nullptr) {
        auto array = [&](const char* key) {
            const json* found = dss->contains(key) ? objects.get(dss->at(key)) : nullptr;
            return found != nullptr && found->is_array() ? *found : json::array();
        };
        int index = 0;
        for (const json& reference : array("/Certs")) {
            ++report.certificates;
            const auto der = work / ("cert-" + std::to_string(index++) + ".der");
            write(der, objects.stream_data(reference));
            auto pem = run({"openssl", "x509", "-inform", "DER", "-in", der.string()});
            if (pem.exit_code != 0) report.problems.push_back("a /DSS /Certs stream is not a certificate");
            std::ofstream(bundle, std::ios::app) << pem.output;
        }
        for (const json& reference : array("/CRLs")) {
            ++report.crls;
            const auto der = work / ("crl-" + std::to_string(index++) + ".der");
            write(der, objects.stream_data(reference));
            auto verified = run({"openssl", "crl", "-inform", "DER", "-in", der.string(), "-CAfile", bundle.string(),
                                 "-verify", "-noout"});
            if (verified.output.find("verify OK") == std::string::npos) {
                report.problems.push_back("a CRL in the DSS does not verify: " + verified.output);
            }
        }
        for (const json& reference : array("/OCSPs")) {
            ++report.ocsp_responses;
            const auto der = work / ("ocsp-" + std::to_string(index++) + ".der");
            write(der, objects.stream_data(reference));
            auto verified = run({"openssl", "ocsp", "-respin", der.string(), "-CAfile", bundle.string(),
                                 "-verify_other", bundle.string(), "-no_nonce"});
            if (verified.output.find("Response verify OK") == std::string::npos) {
                report.problems.push_back("an OCSP response in the DSS does not verify: " + verified.output);
            }
        }
        const json* vri = dss->contains("/VRI") ? objects.get(dss->at("/VRI")) : nullptr;
        if (vri != nullptr && vri->is_object()) {
            for (const auto& [key, entry] : vri->items()) vri_keys.insert(key.substr(1));
        }
        report.vri_entries = static_cast<int>(vri_keys.size());
    }

    // The signature values: dictionaries with /ByteRange and /Contents.
    const Bytes file = read(pdf);
    int index = 0;
    for (const auto& [name, object] : objects.all().items()) {
        if (!object.contains("value") || !object.at("value").is_object()) continue;
        const json& value = object.at("value");
        if (!value.contains("/ByteRange") || !value.contains("/Contents") || !value.at("/Contents").is_string()) continue;
        std::string contents_text = value.at("/Contents").get<std::string>();
        if (!contents_text.starts_with("b:")) continue;
        const Bytes contents = from_hex(contents_text.substr(2));
        const bool stamp = value.contains("/Type") && value.at("/Type") == "/DocTimeStamp";
        if (!stamp) {
            ++report.signatures;
            if (dss != nullptr && !vri_keys.contains(sha1_upper_hex(contents))) {
                report.problems.push_back("the signature " + name + " has no /VRI entry keyed by its /Contents");
            }
            continue;
        }
        ++report.document_timestamps;
        const json& range = value.at("/ByteRange");
        const std::size_t a = range.at(0), b = range.at(1), c = range.at(2), d = range.at(3);
        if (a != 0 || b > file.size() || c + d > file.size()) {
            report.problems.push_back("the document time-stamp " + name + " has a ByteRange outside the file");
            continue;
        }
        Bytes covered(file.begin(), file.begin() + static_cast<long>(b));
        covered.insert(covered.end(), file.begin() + static_cast<long>(c), file.begin() + static_cast<long>(c + d));
        const auto data = work / ("covered-" + std::to_string(index) + ".bin");
        const auto token = work / ("token-" + std::to_string(index++) + ".der");
        write(data, covered);
        const std::size_t length = der_length(contents);
        write(token, Bytes(contents.begin(), contents.begin() + static_cast<long>(std::min(length, contents.size()))));
        auto verified = run({"openssl", "ts", "-verify", "-data", data.string(), "-in", token.string(), "-token_in",
                             "-CAfile", anchors.string(), "-untrusted", bundle.string()});
        if (verified.output.find("Verification: OK") == std::string::npos) {
            report.problems.push_back("the document time-stamp " + name + " does not verify: " + verified.output);
        }
    }
    return report;
}

}  // namespace signet::test
