#pragma once
// Test fixtures for hsm/: a private SoftHSM per test case (its own SOFTHSM2_CONF and token
// folder, SoftHSMv2's tests/common.sh idea), fresh tokens in it, and a raw PKCS#11 session that
// checks what the token really holds without going through the code under test.

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/evp.h>
#include <boost/test/unit_test.hpp>

#include "hsm/module.hpp"
#include "hsm/token.hpp"
#include "base/secret.hpp"
#include "tests/support/temp_dir.hpp"

namespace signet {
// Lets BOOST_TEST print an Errc in a failed comparison (found by argument-dependent lookup).
inline std::ostream& boost_test_print_type(std::ostream& out, Errc code) {
    return out << to_string(code);
}
}  // namespace signet

namespace signet::hsm::test {

inline constexpr std::string_view user_pin = "1234-user";
inline constexpr std::string_view so_pin = "5678-so";
inline constexpr std::string_view token_label = "signet-test";

inline Secret secret(std::string_view text) { return Secret(std::string(text)); }

inline std::string message_of(const Error& error) {
    return std::string(to_string(error.code)) + ": " + error.message;
}

// Every slot with an initialised token whose label is `label`.
inline std::vector<CK_SLOT_ID> slots_labelled(CK_FUNCTION_LIST* functions, std::string_view label) {
    CK_ULONG count = 0;
    BOOST_REQUIRE_EQUAL(functions->C_GetSlotList(CK_TRUE, nullptr, &count), CKR_OK);
    std::vector<CK_SLOT_ID> slots(count);
    BOOST_REQUIRE_EQUAL(functions->C_GetSlotList(CK_TRUE, slots.data(), &count), CKR_OK);
    slots.resize(count);
    std::vector<CK_SLOT_ID> found;
    for (const CK_SLOT_ID slot : slots) {
        CK_TOKEN_INFO info{};
        BOOST_REQUIRE_EQUAL(functions->C_GetTokenInfo(slot, &info), CKR_OK);
        std::string text(reinterpret_cast<const char*>(info.label), sizeof info.label);
        text.erase(text.find_last_not_of(' ') + 1);
        if ((info.flags & CKF_TOKEN_INITIALIZED) != 0 && text == label) found.push_back(slot);
    }
    return found;
}

inline CK_SLOT_ID slot_labelled(CK_FUNCTION_LIST* functions, std::string_view label) {
    const auto slots = slots_labelled(functions, label);
    BOOST_REQUIRE_EQUAL(slots.size(), 1U);
    return slots.front();
}

inline CK_TOKEN_INFO token_info(CK_FUNCTION_LIST* functions, std::string_view label) {
    CK_TOKEN_INFO info{};
    BOOST_REQUIRE_EQUAL(functions->C_GetTokenInfo(slot_labelled(functions, label), &info), CKR_OK);
    return info;
}

// A session of its own on a token, for reading back objects. It shares the login state of the
// Token objects of the process (PKCS#11 v2.40 §5.6), so private objects are visible to it while
// a Token is open.
class RawSession {
  public:
    RawSession(CK_FUNCTION_LIST* functions, std::string_view label) : functions_(functions) {
        BOOST_REQUIRE_EQUAL(functions_->C_OpenSession(slot_labelled(functions, label),
                                                      CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr,
                                                      nullptr, &handle_),
                            CKR_OK);
    }
    ~RawSession() { functions_->C_CloseSession(handle_); }
    RawSession(const RawSession&) = delete;
    RawSession& operator=(const RawSession&) = delete;

    std::vector<CK_OBJECT_HANDLE> find(CK_OBJECT_CLASS object_class, const KeyId& id) {
        return find(object_class, CKA_ID, id);
    }

    // The objects of `object_class` whose attribute `type` is `value` (at most 16).
    std::vector<CK_OBJECT_HANDLE> find(CK_OBJECT_CLASS object_class, CK_ATTRIBUTE_TYPE type,
                                       const std::vector<std::uint8_t>& value) {
        CK_ATTRIBUTE search[] = {{CKA_CLASS, &object_class, sizeof object_class},
                                 {type, const_cast<std::uint8_t*>(value.data()), value.size()}};
        BOOST_REQUIRE_EQUAL(functions_->C_FindObjectsInit(handle_, search, 2), CKR_OK);
        std::vector<CK_OBJECT_HANDLE> found(16);
        CK_ULONG count = 0;
        const CK_RV rv = functions_->C_FindObjects(handle_, found.data(), found.size(), &count);
        BOOST_REQUIRE_EQUAL(functions_->C_FindObjectsFinal(handle_), CKR_OK);
        BOOST_REQUIRE_EQUAL(rv, CKR_OK);
        found.resize(count);
        return found;
    }

    CK_OBJECT_HANDLE find_one(CK_OBJECT_CLASS object_class, const KeyId& id) {
        const auto found = find(object_class, id);
        BOOST_REQUIRE_EQUAL(found.size(), 1U);
        return found.front();
    }

    // The attribute's value, or the CK_RV that refused it.
    std::pair<CK_RV, std::vector<std::uint8_t>> get(CK_OBJECT_HANDLE object,
                                                    CK_ATTRIBUTE_TYPE type) {
        CK_ATTRIBUTE query{type, nullptr, 0};
        CK_RV rv = functions_->C_GetAttributeValue(handle_, object, &query, 1);
        if (rv != CKR_OK) return {rv, {}};
        std::vector<std::uint8_t> value(query.ulValueLen);
        query.pValue = value.data();
        rv = functions_->C_GetAttributeValue(handle_, object, &query, 1);
        value.resize(rv == CKR_OK ? query.ulValueLen : 0);
        return {rv, value};
    }

    std::vector<std::uint8_t> bytes(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
        auto [rv, value] = get(object, type);
        BOOST_REQUIRE_EQUAL(rv, CKR_OK);
        return value;
    }

    bool flag(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
        const auto value = bytes(object, type);
        BOOST_REQUIRE_EQUAL(value.size(), sizeof(CK_BBOOL));
        return value.front() == CK_TRUE;
    }

    CK_RV destroy(CK_OBJECT_HANDLE object) { return functions_->C_DestroyObject(handle_, object); }
    CK_SESSION_HANDLE handle() const { return handle_; }

  private:
    CK_FUNCTION_LIST* functions_;
    CK_SESSION_HANDLE handle_ = CK_INVALID_HANDLE;
};

// A private SoftHSM with no token yet. The module is loaded after SOFTHSM2_CONF is set, since
// SoftHSM reads its configuration in C_Initialize; it is finalised before the folder goes.
struct SoftHsm {
    signet::test::TempDir dir{"signet-hsm"};
    std::shared_ptr<Module> module;

    SoftHsm() {
        std::filesystem::create_directory(dir / "tokens");
        signet::test::write_file(dir / "softhsm2.conf",
                                 "directories.tokendir = " + (dir / "tokens").string() +
                                     "\nobjectstore.backend = file\nlog.level = ERROR\n");
        ::setenv("SOFTHSM2_CONF", (dir / "softhsm2.conf").c_str(), 1);
        auto loaded = Module::load(SIGNET_SOFTHSM_MODULE);
        BOOST_REQUIRE_MESSAGE(loaded,
                              "loading SoftHSM: " + (loaded ? "" : message_of(loaded.error())));
        module = std::move(*loaded);
    }

    CK_FUNCTION_LIST* functions() const { return module->functions(); }

    void add_token(std::string_view label) {
        const auto made = Token::initialise(*module, label, secret(so_pin), secret(user_pin));
        BOOST_REQUIRE_MESSAGE(made,
                              "initialising a token: " + (made ? "" : message_of(made.error())));
    }

    std::unique_ptr<Token> open(std::string_view token, unsigned max_sessions = 4) {
        auto opened = Token::open(module, token, secret(user_pin), max_sessions);
        BOOST_REQUIRE_MESSAGE(opened,
                              "opening a token: " + (opened ? "" : message_of(opened.error())));
        return std::move(*opened);
    }
};

// A SoftHSM with one fresh token, open and logged in.
struct OpenToken : SoftHsm {
    std::unique_ptr<Token> token;
    OpenToken() {
        add_token(token_label);
        token = open(token_label);
    }
};

// A SoftHSM with one fresh token, opened with a PinSource that counts its reads and gives a
// wrong PIN while `wrong_pin` is set: what a PIN file edited under a running daemon looks like.
struct RecoveringToken : SoftHsm {
    std::atomic<int> pin_reads{0};
    std::atomic<bool> wrong_pin{false};
    std::unique_ptr<Token> token;  // last: it and its recovery thread go before the counters

    RecoveringToken() {
        add_token(token_label);
        auto opened = Token::open(
            module, token_label,
            [this]() -> Result<Secret> {
                ++pin_reads;
                return secret(wrong_pin ? std::string_view("not-the-pin") : user_pin);
            },
            4);
        BOOST_REQUIRE_MESSAGE(opened, "opening a token: " + (opened ? "" : message_of(opened.error())));
        token = std::move(*opened);
    }

    // Moves the token folder away and back: SoftHSM's file store then has no token to serve.
    void hide_tokens() { std::filesystem::rename(dir / "tokens", dir / "tokens.hidden"); }
    void restore_tokens() { std::filesystem::rename(dir / "tokens.hidden", dir / "tokens"); }
};

// EVP_DigestVerify with SHA-256, the check a relying party makes on the signature.
inline bool verifies(const PublicKey& key, std::span<const std::uint8_t> data,
                     std::span<const std::uint8_t> signature) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                    EVP_MD_CTX_free);
    return context &&
           EVP_DigestVerifyInit(context.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
           EVP_DigestVerify(context.get(), signature.data(), signature.size(), data.data(),
                            data.size()) == 1;
}

inline std::vector<std::uint8_t> bytes_of(std::string_view text) {
    return std::vector<std::uint8_t>(text.begin(), text.end());
}

}  // namespace signet::hsm::test
