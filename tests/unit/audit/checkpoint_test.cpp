// Checkpoints: the exact signed text, the JSON line (base64 signature of every padding), and
// signatures by RSA-3072 and P-256 audit keys as the HSM makes them.

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "audit/checkpoint.hpp"
#include "tests/unit/audit/signed_log.hpp"

namespace {

using nlohmann::json;
using signet::audit::Checkpoint;

Checkpoint example(std::vector<std::uint8_t> signature = {0xde, 0xad, 0xbe, 0xef}) {
    return Checkpoint{"signet", 40, std::string(64, 'a'), "2026-11-23T23:40:00Z", "0a0b", std::move(signature)};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(audit_checkpoint)

BOOST_AUTO_TEST_CASE(the_signed_text_is_exact) {
    BOOST_TEST(signet::audit::signed_text(example()) ==
               "signet-checkpoint/v1\nsignet\n40\n" + std::string(64, 'a') + "\n2026-11-23T23:40:00Z\n");
}

BOOST_AUTO_TEST_CASE(checkpoints_round_trip_with_every_base64_padding) {
    for (std::size_t length = 1; length <= 7; ++length) {
        std::vector<std::uint8_t> signature(length);
        for (std::size_t i = 0; i < length; ++i) signature[i] = static_cast<std::uint8_t>(0xF0 + i);
        json object = signet::audit::to_json(example(signature));
        BOOST_TEST(object.size() == 7U);
        BOOST_TEST(object.at("type") == "checkpoint");
        auto read = signet::audit::checkpoint_from_json(json::parse(object.dump()));
        BOOST_REQUIRE(read.has_value());
        BOOST_TEST(read->signature == signature, "length " << length);
        BOOST_TEST(signet::audit::signed_text(*read) == signet::audit::signed_text(example()));
        BOOST_TEST(read->key_id == "0a0b");
    }
    BOOST_TEST(signet::audit::to_json(example()).at("signature") == "3q2+7w==");
}

BOOST_AUTO_TEST_CASE(base64_is_strict_and_canonical) {
    // "3q2+7w==" is the canonical encoding; the others decode to the same bytes or are not base64.
    for (const char* signature : {"3q2+7x==", "3q2+7w=", "3q2+7w", "3q2+ 7w==", "3q2-7w==", "3q2+7w==\n", "=3q2+7w=", ""}) {
        json object = signet::audit::to_json(example());
        object["signature"] = signature;
        BOOST_TEST(!signet::audit::checkpoint_from_json(object).has_value(), signature);
    }
}

BOOST_AUTO_TEST_CASE(malformed_checkpoints_are_refused_without_throwing) {
    const std::vector<std::pair<const char*, json>> wrong = {
        {"type", "entry"}, {"type", 5},      {"type", nullptr},   {"size", 0},
        {"size", "40"},    {"size", 40.5},   {"origin", "a\nb"},  {"origin", ""},
        {"head", 7},       {"time", nullptr}, {"key_id", json::array()}, {"signature", 12},
        {"extra", "x"},
    };
    for (const auto& [field, value] : wrong) {
        json object = signet::audit::to_json(example());
        object[field] = value;
        auto read = signet::audit::checkpoint_from_json(object);
        BOOST_TEST_CONTEXT(field << " = " << value.dump()) {
            BOOST_REQUIRE(!read.has_value());
            BOOST_TEST(signet::to_string(read.error().code) == "bad_request");
            BOOST_TEST(read.error().message.find(field) != std::string::npos, read.error().message);
        }
    }
    for (const char* field : {"type", "origin", "size", "head", "time", "key_id", "signature"}) {
        json object = signet::audit::to_json(example());
        object.erase(field);
        BOOST_TEST(!signet::audit::checkpoint_from_json(object).has_value(), field);
    }
    BOOST_TEST(!signet::audit::checkpoint_from_json(json::array()).has_value());
}

BOOST_AUTO_TEST_CASE(signatures_of_rsa_and_ec_audit_keys_verify) {
    for (const char* algorithm : {"rsa-3072", "ec-p256"}) {
        BOOST_TEST_CONTEXT(algorithm) {
            signet::test::AuditKey key(algorithm);
            Checkpoint checkpoint = example({});
            checkpoint.signature = key.sign(signet::audit::signed_text(checkpoint));
            auto read = signet::audit::checkpoint_from_json(json::parse(signet::audit::to_json(checkpoint).dump()));
            BOOST_REQUIRE(read.has_value());
            auto verified = signet::audit::verify_signature(*read, key.certificate_pem);
            BOOST_TEST(verified.has_value(), (verified ? "" : verified.error().message));

            Checkpoint later = *read;
            later.time = "2026-11-23T23:40:01Z";
            auto forged = signet::audit::verify_signature(later, key.certificate_pem);
            BOOST_REQUIRE(!forged.has_value());
            BOOST_TEST(signet::to_string(forged.error().code) == "forbidden");
            BOOST_TEST(forged.error().message.find("does not verify") != std::string::npos);

            Checkpoint flipped = *read;
            flipped.signature[flipped.signature.size() / 2] ^= 0x01;
            BOOST_TEST(!signet::audit::verify_signature(flipped, key.certificate_pem).has_value());
            BOOST_TEST(!signet::audit::verify_signature(example({}), key.certificate_pem).has_value());
        }
    }
}

BOOST_AUTO_TEST_CASE(another_key_or_no_certificate_is_refused) {
    signet::test::AuditKey key("ec-p256");
    signet::test::AuditKey other("ec-p256");
    Checkpoint checkpoint = example({});
    checkpoint.signature = key.sign(signet::audit::signed_text(checkpoint));
    auto wrong_key = signet::audit::verify_signature(checkpoint, other.certificate_pem);
    BOOST_REQUIRE(!wrong_key.has_value());
    BOOST_TEST(signet::to_string(wrong_key.error().code) == "forbidden");
    for (const std::string& pem : {std::string(), std::string("not a certificate"),
                                  key.certificate_pem.substr(0, key.certificate_pem.size() / 2)}) {
        auto unreadable = signet::audit::verify_signature(checkpoint, pem);
        BOOST_REQUIRE(!unreadable.has_value());
        BOOST_TEST(signet::to_string(unreadable.error().code) == "bad_request");
    }
}

BOOST_AUTO_TEST_SUITE_END()
