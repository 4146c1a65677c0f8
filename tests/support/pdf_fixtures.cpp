#include "tests/support/pdf_fixtures.hpp"

#include "tests/support/hostile_pdfs.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <regex>
#include <sstream>

#include <openssl/evp.h>

namespace signet::pdf::test {
namespace {

template <class T>
T value_or_fail(Result<T> result, const std::string& what) {
    if (!result) BOOST_FAIL(what << ": " << result.error().message);
    return std::move(*result);
}

void run_or_fail(const std::vector<std::string>& argv) {
    auto result = signet::test::run(argv);
    if (result.exit_code != 0) {
        std::string command;
        for (const auto& arg : argv) command += arg + " ";
        BOOST_FAIL(command << "exited with " << result.exit_code << ": " << result.output);
    }
}

std::size_t count_of(const std::string& text, const std::string& needle) {
    std::size_t count = 0;
    for (std::size_t at = text.find(needle); at != std::string::npos;
         at = text.find(needle, at + 1)) {
        ++count;
    }
    return count;
}

}  // namespace

cms::Signer Pki::signer() const {
    cms::Signer result;
    result.certificate = cert.get();
    for (auto it = intermediates.rbegin(); it != intermediates.rend(); ++it) {
        result.chain.push_back(it->get());
    }
    result.chain.push_back(root.get());
    return result;
}

void Pki::write_root(const std::filesystem::path& path) const {
    auto pem = value_or_fail(signet::to_pem(root.get()), "PEM of the root");
    signet::test::write_file(path, pem);
}

Pki make_pki(const std::string& algorithm, int intermediates) {
    Pki pki;
    pki.root_key = value_or_fail(devpki::generate_key(algorithm), "root key");
    devpki::CertificateSpec ca_spec;
    ca_spec.common_name = "signet test root CA";
    ca_spec.usage = devpki::Usage::ca;
    pki.root = value_or_fail(
        devpki::issue(ca_spec, pki.root_key.get(), nullptr, pki.root_key.get()), "root");
    X509* issuer = pki.root.get();
    EVP_PKEY* issuer_key = pki.root_key.get();
    for (int i = 0; i < intermediates; ++i) {
        auto key = value_or_fail(devpki::generate_key(algorithm), "intermediate key");
        devpki::CertificateSpec spec;
        spec.common_name = "signet test intermediate CA " + std::to_string(i + 1);
        spec.usage = devpki::Usage::ca;
        auto cert =
            value_or_fail(devpki::issue(spec, key.get(), issuer, issuer_key), "intermediate");
        pki.intermediate_keys.push_back(std::move(key));
        pki.intermediates.push_back(std::move(cert));
        issuer = pki.intermediates.back().get();
        issuer_key = pki.intermediate_keys.back().get();
    }
    pki.key = value_or_fail(devpki::generate_key(algorithm), "signing key");
    devpki::CertificateSpec spec;
    spec.common_name = "Cabinet Exemple seal";
    spec.organization = "Cabinet Exemple SAS";
    spec.usage = devpki::Usage::signing;
    pki.cert = value_or_fail(devpki::issue(spec, pki.key.get(), issuer, issuer_key), "signer");
    return pki;
}

cms::SignCallback software_signer(EVP_PKEY* key) {
    return [key](std::span<const std::uint8_t> to_be_signed) -> Result<std::vector<std::uint8_t>> {
        std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                    EVP_MD_CTX_free);
        std::size_t length = 0;
        if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1 ||
            EVP_DigestSign(ctx.get(), nullptr, &length, to_be_signed.data(), to_be_signed.size()) !=
                1) {
            return fail(Errc::unavailable, "software signing failed");
        }
        std::vector<std::uint8_t> signature(length);
        if (EVP_DigestSign(ctx.get(), signature.data(), &length, to_be_signed.data(),
                           to_be_signed.size()) != 1) {
            return fail(Errc::unavailable, "software signing failed");
        }
        signature.resize(length);
        return signature;
    };
}

void make_ps2pdf(const std::filesystem::path& path, int pages) {
    std::ostringstream ps;
    ps << "%!PS\n/Helvetica findfont 24 scalefont setfont\n";
    for (int page = 1; page <= pages; ++page) {
        ps << "72 700 moveto (Page " << page << " of a ps2pdf document) show showpage\n";
    }
    auto source = path.parent_path() / (path.stem().string() + ".ps");
    signet::test::write_file(source, ps.str());
    run_or_fail({"ps2pdf", source.string(), path.string()});
}

void make_groff(const std::filesystem::path& path) {
    auto source = path.parent_path() / (path.stem().string() + ".ms");
    signet::test::write_file(source, ".TL\nA groff document\n.PP\nIt has one page of text.\n");
    auto result = signet::test::run({"groff", "-ms", "-Tpdf", source.string()});
    if (result.exit_code != 0) BOOST_FAIL("groff failed: " << result.output);
    signet::test::write_file(path, result.output);
}

void make_qpdf(const std::filesystem::path& source, const std::filesystem::path& path,
               const std::vector<std::string>& options) {
    std::vector<std::string> argv{"qpdf"};
    argv.insert(argv.end(), options.begin(), options.end());
    argv.push_back(source.string());
    argv.push_back(path.string());
    run_or_fail(argv);
}

void make_hybrid(const std::filesystem::path& source, const std::filesystem::path& path) {
    const std::string original = signet::test::read_file(source);
    // qpdf's view of the cross-reference: "10/0: uncompressed; offset = 421" for the objects
    // the table lists, "2/0: compressed; stream = 1, index = 0" for those only the stream does.
    auto xref = signet::test::run({"qpdf", "--show-xref", source.string()});
    if (xref.exit_code != 0) BOOST_FAIL("qpdf --show-xref: " << xref.output);
    std::vector<std::pair<std::size_t, std::string>> rows{{0, "0000000000 65535 f \n"}};
    const std::regex uncompressed(R"((\d+)/(\d+): uncompressed; offset = (\d+))");
    for (std::sregex_iterator it(xref.output.begin(), xref.output.end(), uncompressed), end;
         it != end; ++it) {
        char row[21];
        std::snprintf(row, sizeof row, "%010zu %05zu n \n", std::stoul((*it)[3]), std::stoul((*it)[2]));
        rows.emplace_back(std::stoul((*it)[1]), std::string(row, 20));
    }
    std::sort(rows.begin(), rows.end());
    std::string table = "xref\n";
    for (std::size_t i = 0; i < rows.size();) {
        std::size_t j = i + 1;
        while (j < rows.size() && rows[j].first == rows[j - 1].first + 1) ++j;
        table += std::to_string(rows[i].first) + " " + std::to_string(j - i) + "\n";
        for (; i < j; ++i) table += rows[i].second;
    }
    // The trailer keys from the stream's dictionary (qpdf writes it uncompressed), and the
    // stream itself as /XRefStm.
    const std::string dictionary = original.substr(original.rfind("/Type /XRef"));
    auto key = [&](const std::string& pattern) {
        std::smatch match;
        if (!std::regex_search(dictionary, match, std::regex(pattern))) BOOST_FAIL("no " << pattern);
        return match[0].str();
    };
    const std::string stream_at = original.substr(original.rfind("startxref") + 10);
    const std::string trailer = "trailer\n<< " + key(R"(/Size \d+)") + " " + key(R"(/Root \d+ \d+ R)") +
                                " " + key(R"(/Info \d+ \d+ R)") + " " + key(R"(/ID \[[^\]]*\])") +
                                " /XRefStm " + std::to_string(std::stoul(stream_at)) + " >>\n";
    signet::test::write_file(path, original + table + trailer + "startxref\n" +
                                       std::to_string(original.size()) + "\n%%EOF\n");
}

std::string hand_written_pdf(const std::vector<std::string>& objects,
                             const std::string& trailer_extra) {
    return signet::pdf::test::classic_pdf(objects, trailer_extra);
}

std::string simple_pdf(const std::string& page_extra, const std::string& catalog_extra,
                       const std::vector<std::string>& more) {
    const std::string content = "BT /F1 24 Tf 72 700 Td (A hand-written page) Tj ET";
    std::vector<std::string> objects{
        "<< /Type /Catalog /Pages 2 0 R " + catalog_extra + " >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        "/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> "
        ">> " +
            page_extra + " >>",
        "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "\nendstream",
    };
    objects.insert(objects.end(), more.begin(), more.end());
    return hand_written_pdf(objects);
}

PrepareRequest invisible_request(const Pki& pki) {
    PrepareRequest request;
    request.signing_time = std::chrono::system_clock::now();
    request.contents_size = signature_size_bound(pki.signer());
    return request;
}

std::vector<std::uint8_t> joined(std::span<const std::uint8_t> original,
                                 const PreparedDocument& prepared) {
    std::vector<std::uint8_t> bytes(original.begin(), original.end());
    bytes.insert(bytes.end(), prepared.update.begin(), prepared.update.end());
    return bytes;
}

SignedFile sign_file(const std::filesystem::path& input, const Pki& pki,
                     const PrepareRequest& request) {
    auto prepared = value_or_fail(prepare(input, request), "prepare " + input.string());
    auto cms = value_or_fail(
        build_cades_signature(prepared.digest, pki.signer(), software_signer(pki.key.get())),
        "build_cades_signature");
    auto embedded = embed(prepared, cms);
    if (!embedded) BOOST_FAIL("embed: " << embedded.error().message);
    auto bytes = joined(read_bytes(input), prepared);
    return SignedFile{std::move(prepared), std::move(bytes)};
}

void write_bytes(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes) {
    signet::test::write_file(
        path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

std::vector<std::uint8_t> read_bytes(const std::filesystem::path& path) {
    std::string text = signet::test::read_file(path);
    return std::vector<std::uint8_t>(text.begin(), text.end());
}

void make_nss_db(const std::filesystem::path& dir, const Pki& pki) {
    std::filesystem::create_directories(dir);
    auto root = dir / "root.pem";
    pki.write_root(root);
    run_or_fail({"certutil", "-N", "-d", "sql:" + dir.string(), "--empty-password"});
    run_or_fail({"certutil", "-A", "-d", "sql:" + dir.string(), "-n", "signet-test-root", "-t",
                 "CT,C,C", "-i", root.string()});
}

signet::test::RunResult pdfsig(const std::filesystem::path& nss_dir,
                               const std::filesystem::path& pdf) {
    return signet::test::run({"pdfsig", "-nssdir", "sql:" + nss_dir.string(), pdf.string()});
}

int valid_trusted_signatures(const std::string& output) {
    // poppler 22.12's wording (utils/pdfsig.cc): "- Signature Validation: Signature is Valid."
    // and "- Certificate Validation: Certificate is Trusted."
    std::size_t valid = count_of(output, "Signature Validation: Signature is Valid.");
    std::size_t trusted = count_of(output, "Certificate Validation: Certificate is Trusted.");
    return static_cast<int>(std::min(valid, trusted));
}

int signature_count(const std::string& output) {
    return static_cast<int>(count_of(output, "Signature #"));
}

void check_signed(const std::filesystem::path& nss_dir, const std::filesystem::path& pdf,
                  int signatures) {
    auto report = pdfsig(nss_dir, pdf);
    BOOST_TEST_CONTEXT("pdfsig said:\n" << report.output) {
        BOOST_TEST(report.exit_code == 0);
        BOOST_TEST(signature_count(report.output) == signatures);
        BOOST_TEST(valid_trusted_signatures(report.output) == signatures);
        BOOST_TEST(report.output.find("ETSI.CAdES.detached") != std::string::npos);
    }
    auto check = signet::test::run({"qpdf", "--check", pdf.string()});
    BOOST_TEST_INFO("qpdf said:\n" << check.output);
    BOOST_TEST(check.exit_code == 0);
}

// openssl cms -verify over the two ByteRange parts of `file`, the CMS being `cms`.
void check_cms(const TempDir& dir, const Pki& pki, const std::vector<std::uint8_t>& file,
               const PreparedDocument& prepared, const std::vector<std::uint8_t>& cms) {
    const auto& r = prepared.byte_range;
    std::vector<std::uint8_t> content(file.begin(), file.begin() + static_cast<long>(r[1]));
    content.insert(content.end(), file.begin() + static_cast<long>(r[2]),
                   file.begin() + static_cast<long>(r[2] + r[3]));
    write_bytes(dir / "sig.der", cms);
    write_bytes(dir / "byterange.bin", content);
    pki.write_root(dir / "ca.pem");
    auto verify = signet::test::run(
        {"openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in",
         (dir / "sig.der").string(), "-content", (dir / "byterange.bin").string(), "-CAfile",
         (dir / "ca.pem").string(), "-purpose", "any", "-out", "/dev/null"});
    BOOST_TEST_INFO(verify.output);
    BOOST_TEST(verify.exit_code == 0);
}

}  // namespace signet::pdf::test
