#include "tests/support/responders/tsa_responder.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>

#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/pkcs7.h>
#include <openssl/rand.h>
#include <openssl/ts.h>

#include "base/openssl_error.hpp"
#include "base/ssl_ptr.hpp"
#include "devpki/dev_pki.hpp"
#include "tests/support/need.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "timestamp/ts_ptr.hpp"

namespace signet::test {
namespace {

using timestamp::Pkcs7;
using timestamp::TsReq;
using timestamp::TsResp;
using timestamp::TsTstInfo;

[[noreturn]] void throw_openssl(std::string_view what) {
    throw std::runtime_error(openssl_error(what));
}

std::vector<std::uint8_t> bytes_of(const std::string& text) { return {text.begin(), text.end()}; }

std::string text_of(std::span<const std::uint8_t> bytes) { return {bytes.begin(), bytes.end()}; }

template <class T, int (*encode)(const T*, unsigned char**)>
std::vector<std::uint8_t> der_of(const T* object, std::string_view what) {
    unsigned char* der = nullptr;
    const int length = encode(object, &der);
    OpensslBytes owned(der);
    if (length <= 0) throw_openssl(what);
    return {der, der + length};
}

devpki::CertificateSpec spec(std::string name, devpki::Usage usage) {
    devpki::CertificateSpec result;
    result.common_name = std::move(name);
    result.usage = usage;
    return result;
}

void make_pki(const std::filesystem::path& folder) {
    using devpki::Usage;
    auto ca_key = need(devpki::generate_key("ec-p256"));
    auto ca = need(devpki::issue(spec("signet test TSA root", Usage::ca), ca_key.get(), nullptr,
                                 ca_key.get()));
    auto tsa_key = need(devpki::generate_key("ec-p256"));
    auto tsa = need(devpki::issue(spec(TsaResponder::tsa_common_name, Usage::time_stamping),
                                  tsa_key.get(), ca.get(), ca_key.get()));
    auto plain_key = need(devpki::generate_key("ec-p256"));
    auto plain = need(devpki::issue(spec("signet test signer without EKU", Usage::signing),
                                    plain_key.get(), ca.get(), ca_key.get()));
    need(devpki::write_certificate(folder / "ca.pem", ca.get()));
    need(devpki::write_certificate(folder / "tsa.pem", tsa.get()));
    need(devpki::write_private_key(folder / "tsa.key", tsa_key.get()));
    need(devpki::write_certificate(folder / "plain.pem", plain.get()));
    need(devpki::write_private_key(folder / "plain.key", plain_key.get()));
}

// The `openssl ts` configuration (openssl-ts(1), "CONFIGURATION FILE OPTIONS"): tsa_good
// grants, tsa_reject accepts only SHA-1 imprints and so rejects every request signet makes
// with badAlg.
std::string ts_config(const std::filesystem::path& folder) {
    const auto section = [&](std::string_view name, std::string_view digests) {
        return "[" + std::string(name) + "]\n" + "serial = " + (folder / "serial").string() + "\n" +
               "crypto_device = builtin\n" + "signer_cert = " + (folder / "tsa.pem").string() +
               "\n" + "certs = " + (folder / "ca.pem").string() + "\n" +
               "signer_key = " + (folder / "tsa.key").string() + "\n" + "signer_digest = sha256\n" +
               "default_policy = 1.2.3.4.1\n" + "digests = " + std::string(digests) + "\n" +
               "accuracy = secs:1\n" + "ordering = no\n" + "tsa_name = no\n" +
               "ess_cert_id_chain = no\n" + "ess_cert_id_alg = sha256\n\n";
    };
    return "[tsa]\ndefault_tsa = tsa_good\n\n" + section("tsa_good", "sha256, sha384, sha512") +
           section("tsa_reject", "sha1");
}

}  // namespace

TsaResponder::TsaResponder(const std::filesystem::path& folder, Mode mode, Ports ports)
    : folder_(folder),
      ca_pem_(folder / "ca.pem"),
      tsa_cert_(folder / "tsa.pem"),
      tsa_key_(folder / "tsa.key"),
      plain_cert_(folder / "plain.pem"),
      plain_key_(folder / "plain.key"),
      config_(folder / "tsa.cnf"),
      mode_(mode) {
    make_pki(folder_);
    write_file(folder_ / "serial", "1000\n");
    write_file(config_, ts_config(folder_));
    // Last: the server answers from the PKI and configuration above.
    server_ = std::make_unique<LoopbackHttpServer>(
        ports.first, ports.last, [this](const HttpExchange& exchange) { return answer_http(exchange); },
        [this] {
            if (mode_ != Mode::hang) return false;
            ++requests_;
            return true;
        });
}

TsaResponder::~TsaResponder() = default;

std::string TsaResponder::url() const {
    return "http://127.0.0.1:" + std::to_string(port()) + "/tsa";
}

HttpAnswer TsaResponder::answer_http(const HttpExchange& exchange) {
    if (exchange.method != "POST") return {"405 Method Not Allowed", "text/plain", "POST only\n"};
    ++requests_;
    if (mode_ == Mode::http_error) return {"503 Service Unavailable", "text/plain", "busy\n"};
    try {
        const std::vector<std::uint8_t> reply = answer(bytes_of(exchange.body));
        // Parameters on the media type are legal (RFC 2045 §5.1): clients must look past them.
        return {"200 OK", mode_ == Mode::wrong_content_type ? "text/plain" : "application/timestamp-reply; x=1",
                text_of(reply)};
    } catch (const std::exception& error) {
        return {"500 Internal Server Error", "text/plain", std::string(error.what()) + "\n"};
    }
}

std::vector<std::uint8_t> TsaResponder::answer(std::span<const std::uint8_t> query) {
    const std::lock_guard lock(openssl_mutex_);
    switch (mode_.load()) {
        case Mode::good:
        case Mode::hang:
        case Mode::wrong_content_type:
        case Mode::http_error:
            return reply_with_openssl(query, "tsa_good");
        case Mode::rejection:
            return reply_with_openssl(query, "tsa_reject");
        case Mode::garbage: {
            std::vector<std::uint8_t> noise(300);
            if (RAND_bytes(noise.data(), static_cast<int>(noise.size())) != 1)
                throw_openssl("RAND_bytes");
            noise[0] = 0xff;  // never a SEQUENCE, so never a TimeStampResp by chance
            return noise;
        }
        case Mode::wrong_imprint: {
            // The client's own request with the imprint replaced by a hash of other data: the
            // nonce still matches, so only the imprint check can catch it.
            const unsigned char* cursor = query.data();
            TsReq request(d2i_TS_REQ(nullptr, &cursor, static_cast<long>(query.size())));
            if (!request) throw_openssl("the query is not a TimeStampReq");
            TS_MSG_IMPRINT* imprint = TS_REQ_get_msg_imprint(request.get());
            const ASN1_OBJECT* algorithm = nullptr;
            X509_ALGOR_get0(&algorithm, nullptr, nullptr, TS_MSG_IMPRINT_get_algo(imprint));
            const EVP_MD* digest = EVP_get_digestbyobj(algorithm);
            unsigned char other[EVP_MAX_MD_SIZE];
            unsigned int length = 0;
            static constexpr char other_data[] = "not the document that was sent";
            if (digest == nullptr ||
                EVP_Digest(other_data, sizeof other_data, other, &length, digest, nullptr) != 1 ||
                TS_MSG_IMPRINT_set_msg(imprint, other, static_cast<int>(length)) != 1) {
                throw_openssl("hashing other data");
            }
            return reply_with_openssl(
                der_of<TS_REQ, &i2d_TS_REQ>(request.get(), "encoding the query"), "tsa_good");
        }
        case Mode::no_eku_signer:
            return resign_without_eku(reply_with_openssl(query, "tsa_good"));
    }
    throw std::logic_error("unknown TSA responder mode");
}

std::vector<std::uint8_t> TsaResponder::reply_with_openssl(std::span<const std::uint8_t> query,
                                                           const char* section) {
    const std::string number = std::to_string(++file_counter_);
    const std::filesystem::path query_file = folder_ / ("query-" + number + ".tsq");
    const std::filesystem::path reply_file = folder_ / ("reply-" + number + ".tsr");
    write_file(query_file, text_of(query));
    const RunResult result =
        run({"openssl", "ts", "-reply", "-config", config_.string(), "-section", section,
             "-queryfile", query_file.string(), "-out", reply_file.string()});
    if (result.exit_code != 0)
        throw std::runtime_error("openssl ts -reply failed: " + result.output);
    return bytes_of(read_file(reply_file));
}

// OpenSSL's TSA refuses a signer without the timeStamping purpose (TS_RESP_CTX_set_signer_cert),
// so the token is signed again here as CMS SignedData over the same TSTInfo, by the
// certificate without extendedKeyUsage.
std::vector<std::uint8_t> TsaResponder::resign_without_eku(
    const std::vector<std::uint8_t>& response) {
    const unsigned char* cursor = response.data();
    TsResp answer(d2i_TS_RESP(nullptr, &cursor, static_cast<long>(response.size())));
    if (!answer || TS_RESP_get_tst_info(answer.get()) == nullptr)
        throw_openssl("reading openssl's reply");
    TsTstInfo tst(TS_TST_INFO_dup(TS_RESP_get_tst_info(answer.get())));
    if (!tst) throw_openssl("copying the TSTInfo");
    const std::vector<std::uint8_t> tst_der =
        der_of<TS_TST_INFO, &i2d_TS_TST_INFO>(tst.get(), "encoding the TSTInfo");

    auto signer = need(devpki::read_certificate(plain_cert_));
    auto key = need(devpki::read_private_key(plain_key_));
    auto ca = need(devpki::read_certificate(ca_pem_));
    constexpr unsigned flags = CMS_BINARY | CMS_NOSMIMECAP;
    CmsContentInfo cms(CMS_sign(nullptr, nullptr, nullptr, nullptr, flags | CMS_PARTIAL));
    Bio content(BIO_new_mem_buf(tst_der.data(), static_cast<int>(tst_der.size())));
    if (!cms || !content ||
        CMS_set1_eContentType(cms.get(), OBJ_nid2obj(NID_id_smime_ct_TSTInfo)) != 1 ||
        CMS_add1_signer(cms.get(), signer.get(), key.get(), EVP_sha256(), flags) == nullptr ||
        CMS_add1_cert(cms.get(), ca.get()) != 1 ||
        CMS_final(cms.get(), content.get(), nullptr, flags) != 1) {
        throw_openssl("signing the TSTInfo without EKU");
    }
    const auto token_der =
        der_of<CMS_ContentInfo, &i2d_CMS_ContentInfo>(cms.get(), "encoding the token");
    cursor = token_der.data();
    Pkcs7 token(d2i_PKCS7(nullptr, &cursor, static_cast<long>(token_der.size())));
    if (!token) throw_openssl("reading the token back as PKCS#7");
    TS_RESP_set_tst_info(answer.get(), token.release(), tst.release());  // takes both
    return der_of<TS_RESP, &i2d_TS_RESP>(answer.get(), "encoding the reply");
}

}  // namespace signet::test
