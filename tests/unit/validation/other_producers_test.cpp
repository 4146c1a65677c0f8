// Signatures signet did not make: poppler's `pdfsig -add-signature` (NSS, adbe.pkcs7.detached)
// under a CA the test trusts, and `openssl cms -sign` written into a placeholder signet
// prepared, with a SHA-1 digest or an RSA-1024 key that the algorithm policy refuses.

#include "validation/validation.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "devpki/dev_pki.hpp"
#include "pdf/prepare.hpp"
#include "tests/support/need.hpp"
#include "tests/support/process.hpp"
#include "tests/unit/validation/fixture.hpp"

namespace signet::validation::test {
namespace {

using signet::test::need;

void run_or_fail(const std::vector<std::string>& argv) {
    auto result = signet::test::run(argv);
    BOOST_REQUIRE_MESSAGE(result.exit_code == 0, argv[0] + " " + argv[1] + ": " + result.output);
}

// A signing certificate for `key`, issued by the world's root.
devpki::Cert issue_signer(World& world, EVP_PKEY* key, const std::string& name) {
    devpki::CertificateSpec spec;
    spec.common_name = name;
    spec.usage = devpki::Usage::signing;
    return need(devpki::issue(spec, key, world.pki.root.get(), world.pki.root_key.get()));
}

// A placeholder prepared by signet, signed by `openssl cms -sign` (detached, CAdES attributes)
// over its ByteRange with `digest`, and embedded.
std::vector<std::uint8_t> openssl_signed(World& world, const std::string& name, const std::string& digest,
                                         const std::filesystem::path& cert, const std::filesystem::path& key) {
    const auto input = world.dir / (name + ".pdf");
    pdf::test::make_ps2pdf(input);
    pdf::PrepareRequest request = pdf::test::invisible_request(world.pki);
    request.contents_size = 8192;
    auto prepared = need(pdf::prepare(input, request));
    const auto file = pdf::test::joined(pdf::test::read_bytes(input), prepared);
    const auto& range = prepared.byte_range;
    std::vector<std::uint8_t> covered(file.begin(), file.begin() + static_cast<long>(range[1]));
    covered.insert(covered.end(), file.begin() + static_cast<long>(range[2]),
                   file.begin() + static_cast<long>(range[2] + range[3]));
    pdf::test::write_bytes(world.dir / (name + ".bin"), covered);
    run_or_fail({"openssl", "cms", "-sign", "-binary", "-cades", "-nosmimecap", "-md", digest, "-signer", cert.string(),
                 "-inkey", key.string(), "-outform", "DER", "-in", (world.dir / (name + ".bin")).string(), "-out",
                 (world.dir / (name + ".p7s")).string()});
    need(pdf::embed(prepared, pdf::test::read_bytes(world.dir / (name + ".p7s"))));
    return pdf::test::joined(pdf::test::read_bytes(input), prepared);
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_pdfsig_signature_under_a_trusted_ca_is_valid_and_extends_to_b_lta) {
    World world;
    auto key = need(devpki::generate_key("rsa-2048"));
    auto cert = issue_signer(world, key.get(), "Maitre Autre Producteur");
    need(devpki::write_certificate(world.dir / "other.pem", cert.get()));
    need(devpki::write_private_key(world.dir / "other.key", key.get()));
    const std::string nss = "sql:" + (world.dir / "nss").string();
    std::filesystem::create_directories(world.dir / "nss");
    run_or_fail({"openssl", "pkcs12", "-export", "-inkey", (world.dir / "other.key").string(), "-in",
                 (world.dir / "other.pem").string(), "-certfile", (world.dir / "root.pem").string(), "-name", "other",
                 "-out", (world.dir / "other.p12").string(), "-passout", "pass:validation"});
    run_or_fail({"certutil", "-N", "-d", nss, "--empty-password"});
    run_or_fail({"pk12util", "-i", (world.dir / "other.p12").string(), "-d", nss, "-W", "validation"});
    pdf::test::make_ps2pdf(world.dir / "in.pdf");
    run_or_fail({"pdfsig", "-add-signature", "-nssdir", nss, "-nick", "other", "-digest", "SHA256",
                 (world.dir / "in.pdf").string(), (world.dir / "pdfsig.pdf").string()});
    const auto file = pdf::test::read_bytes(world.dir / "pdfsig.pdf");

    const auto listed = World::listed(file);
    BOOST_REQUIRE(listed.fields.size() == 1U);
    BOOST_TEST(listed.fields[0].sub_filter == "adbe.pkcs7.detached");
    const auto verdicts = world.verdicts(file);
    BOOST_REQUIRE(verdicts.size() == 1U);
    BOOST_TEST(verdicts[0].valid, reasons(verdicts));
    BOOST_TEST(verdicts[0].level == "B-B");
    BOOST_REQUIRE(verdicts[0].chain.size() == 2U);
    BOOST_TEST(X509_cmp(verdicts[0].chain[0].get(), cert.get()) == 0);

    // What extend does: its validation data, then a document time-stamp. The time-stamp now
    // proves when the signature existed.
    const auto lta = world.with_document_timestamp(world.with_validation_data(file, listed, verdicts));
    const auto extended = world.verdicts(lta);
    BOOST_REQUIRE(extended.size() == 2U);
    BOOST_TEST(extended[0].valid, reasons(extended));
    BOOST_TEST(extended[0].level == "B-LTA");
    BOOST_TEST(extended[1].valid, reasons(extended));
    BOOST_TEST((extended[0].proven_time == extended[1].proven_time));
}

BOOST_AUTO_TEST_CASE(a_sha1_digest_and_an_rsa_1024_signer_are_refused_by_name) {
    World world;
    need(devpki::write_certificate(world.dir / "seal.pem", world.pki.cert.get()));
    need(devpki::write_private_key(world.dir / "seal.key", world.pki.key.get()));
    const auto sha1 = world.verdicts(openssl_signed(world, "sha1", "sha1", world.dir / "seal.pem", world.dir / "seal.key"));
    BOOST_TEST_MESSAGE(reasons(sha1));
    BOOST_REQUIRE(sha1.size() == 1U);
    BOOST_TEST(!sha1[0].valid);
    BOOST_TEST(contains(sha1[0].reason, "signature hash SHA1 is refused"), sha1[0].reason);

    // The same tool with SHA-256 and the same key is valid: the digest was the cause.
    const auto sha256 =
        world.verdicts(openssl_signed(world, "sha256", "sha256", world.dir / "seal.pem", world.dir / "seal.key"));
    BOOST_REQUIRE(sha256.size() == 1U);
    BOOST_TEST(sha256[0].valid, reasons(sha256));

    run_or_fail({"openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out",
                 (world.dir / "weak.key").string()});
    auto weak_key = need(devpki::read_private_key(world.dir / "weak.key"));
    auto weak = issue_signer(world, weak_key.get(), "Weak Key Signer");
    need(devpki::write_certificate(world.dir / "weak.pem", weak.get()));
    const auto rsa1024 =
        world.verdicts(openssl_signed(world, "weak", "sha256", world.dir / "weak.pem", world.dir / "weak.key"));
    BOOST_TEST_MESSAGE(reasons(rsa1024));
    BOOST_REQUIRE(rsa1024.size() == 1U);
    BOOST_TEST(!rsa1024[0].valid);
    BOOST_TEST(contains(rsa1024[0].reason, "RSA key of 1024 bits is refused"), rsa1024[0].reason);
}

}  // namespace signet::validation::test
