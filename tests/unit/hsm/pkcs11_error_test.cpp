#include "hsm/pkcs11_error.hpp"

#include <boost/test/unit_test.hpp>

#include "hsm/module.hpp"

namespace signet::hsm {
namespace {

BOOST_AUTO_TEST_SUITE(pkcs11_error)

BOOST_AUTO_TEST_CASE(operator_side_failures_are_unavailable) {
    for (const CK_RV rv : {CKR_PIN_INCORRECT, CKR_PIN_LOCKED, CKR_PIN_EXPIRED, CKR_DEVICE_ERROR,
                           CKR_DEVICE_REMOVED, CKR_SESSION_HANDLE_INVALID, CKR_TOKEN_NOT_PRESENT,
                           CKR_USER_NOT_LOGGED_IN, CKR_MECHANISM_INVALID, CKR_GENERAL_ERROR}) {
        BOOST_TEST((errc_for(rv) == Errc::unavailable), ckr_name(rv));
    }
}

BOOST_AUTO_TEST_CASE(calling_errors_are_internal) {
    for (const CK_RV rv :
         {CKR_ARGUMENTS_BAD, CKR_TEMPLATE_INCONSISTENT, CKR_ATTRIBUTE_VALUE_INVALID,
          CKR_OPERATION_NOT_INITIALIZED, CKR_KEY_FUNCTION_NOT_PERMITTED}) {
        BOOST_TEST((errc_for(rv) == Errc::internal), ckr_name(rv));
    }
}

BOOST_AUTO_TEST_CASE(message_names_the_return_value) {
    const Error error = ck_error("logging in to token 'seal'", CKR_PIN_INCORRECT);
    BOOST_TEST((error.code == Errc::unavailable));
    BOOST_TEST(error.message == "logging in to token 'seal': CKR_PIN_INCORRECT");
}

BOOST_AUTO_TEST_CASE(lost_sessions) {
    BOOST_TEST(session_lost(CKR_SESSION_HANDLE_INVALID));
    BOOST_TEST(session_lost(CKR_SESSION_CLOSED));
    BOOST_TEST(session_lost(CKR_DEVICE_ERROR));
    BOOST_TEST(session_lost(CKR_DEVICE_REMOVED));
    BOOST_TEST(!session_lost(CKR_OK));
    BOOST_TEST(!session_lost(CKR_PIN_INCORRECT));
    BOOST_TEST(!session_lost(CKR_KEY_HANDLE_INVALID));
    BOOST_TEST(!session_lost(CKR_OBJECT_HANDLE_INVALID));
}

BOOST_AUTO_TEST_CASE(faults_say_what_recovers_them) {
    for (const CK_RV rv : {CKR_SESSION_HANDLE_INVALID, CKR_SESSION_CLOSED, CKR_USER_NOT_LOGGED_IN}) {
        BOOST_TEST((fault_of(rv) == Fault::session), ckr_name(rv));
    }
    for (const CK_RV rv : {CKR_DEVICE_ERROR, CKR_DEVICE_MEMORY, CKR_DEVICE_REMOVED, CKR_TOKEN_NOT_PRESENT,
                           CKR_TOKEN_NOT_RECOGNIZED, CKR_SLOT_ID_INVALID, CKR_CRYPTOKI_NOT_INITIALIZED,
                           CKR_GENERAL_ERROR}) {
        BOOST_TEST((fault_of(rv) == Fault::token), ckr_name(rv));
    }
    for (const CK_RV rv : {CKR_PIN_INCORRECT, CKR_PIN_INVALID, CKR_PIN_LEN_RANGE, CKR_PIN_EXPIRED, CKR_PIN_LOCKED}) {
        BOOST_TEST((fault_of(rv) == Fault::pin), ckr_name(rv));
    }
    for (const CK_RV rv : {CKR_OK, CKR_KEY_HANDLE_INVALID, CKR_OBJECT_HANDLE_INVALID, CKR_MECHANISM_INVALID,
                           CKR_TEMPLATE_INCONSISTENT, CKR_FUNCTION_FAILED, CKR_USER_ALREADY_LOGGED_IN}) {
        BOOST_TEST((fault_of(rv) == Fault::none), ckr_name(rv));
    }
    // Every fault reaches the caller as unavailable (HTTP 503).
    for (const CK_RV rv : {CKR_SESSION_HANDLE_INVALID, CKR_USER_NOT_LOGGED_IN, CKR_DEVICE_MEMORY, CKR_SLOT_ID_INVALID,
                           CKR_CRYPTOKI_NOT_INITIALIZED, CKR_TOKEN_NOT_RECOGNIZED, CKR_PIN_LEN_RANGE}) {
        BOOST_TEST((errc_for(rv) == Errc::unavailable), ckr_name(rv));
    }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace signet::hsm
