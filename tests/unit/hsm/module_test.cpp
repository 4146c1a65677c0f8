#include "hsm/module.hpp"

#include <boost/test/unit_test.hpp>

#include "tests/unit/hsm/softhsm.hpp"

namespace signet::hsm {
namespace {

BOOST_AUTO_TEST_SUITE(module)

BOOST_AUTO_TEST_CASE(loads_and_initialises_softhsm) {
    test::SoftHsm hsm;
    BOOST_REQUIRE(hsm.module->functions() != nullptr);
    CK_INFO info{};
    BOOST_TEST(hsm.functions()->C_GetInfo(&info) == CKR_OK);
}

BOOST_AUTO_TEST_CASE(can_be_loaded_again_after_it_is_released) {
    // Each test case finalises and reloads the module; this proves that cycle on purpose.
    { test::SoftHsm first; }
    test::SoftHsm second;
    CK_ULONG count = 0;
    BOOST_TEST(second.functions()->C_GetSlotList(CK_FALSE, nullptr, &count) == CKR_OK);
    BOOST_TEST(count >= 1U);
}

BOOST_AUTO_TEST_CASE(refuses_a_second_module_in_the_process) {
    test::SoftHsm hsm;
    const auto second = Module::load(SIGNET_SOFTHSM_MODULE);
    BOOST_REQUIRE(!second);
    BOOST_TEST(second.error().code == Errc::internal);
    BOOST_TEST(second.error().message.find("CKR_CRYPTOKI_ALREADY_INITIALIZED") !=
               std::string::npos);
    // The refused load must not have finalised the module the first one owns.
    CK_ULONG count = 0;
    BOOST_TEST(hsm.functions()->C_GetSlotList(CK_FALSE, nullptr, &count) == CKR_OK);
}

BOOST_AUTO_TEST_CASE(missing_library_is_a_configuration_error) {
    const auto loaded = Module::load("/nonexistent/libpkcs11-nothing.so");
    BOOST_REQUIRE(!loaded);
    BOOST_TEST(loaded.error().code == Errc::invalid_config);
    BOOST_TEST(loaded.error().message.find("/nonexistent/libpkcs11-nothing.so") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(library_without_pkcs11_entry_point_is_refused) {
    const auto loaded = Module::load("libc.so.6");
    BOOST_REQUIRE(!loaded);
    BOOST_TEST(loaded.error().code == Errc::invalid_config);
    BOOST_TEST(loaded.error().message.find("C_GetFunctionList") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(reinitialises_in_place_and_retries_a_failed_initialisation) {
    test::SoftHsm hsm;
    hsm.add_token(test::token_label);
    const CK_SLOT_ID slot = test::slot_labelled(hsm.functions(), test::token_label);
    CK_SESSION_HANDLE before = CK_INVALID_HANDLE;
    BOOST_REQUIRE_EQUAL(hsm.functions()->C_OpenSession(slot, CKF_SERIAL_SESSION, nullptr, nullptr, &before), CKR_OK);
    BOOST_TEST(hsm.module->generation() == 0U);

    {
        auto shared = hsm.module->share();
        const auto unowned = hsm.module->reinitialise(std::unique_lock<std::shared_mutex>());
        BOOST_REQUIRE(!unowned);
        BOOST_TEST((unowned.error().code == Errc::internal));
    }

    // SoftHSM reads SOFTHSM2_CONF in every C_Initialize: a token folder that is not there makes
    // it fail with CKR_GENERAL_ERROR and stay uninitialised.
    signet::test::write_file(hsm.dir / "broken.conf", "directories.tokendir = " + (hsm.dir / "nowhere").string() +
                                                          "\nobjectstore.backend = file\nlog.level = ERROR\n");
    ::setenv("SOFTHSM2_CONF", (hsm.dir / "broken.conf").c_str(), 1);
    {
        auto exclusive = hsm.module->exclusive();
        const auto failed = hsm.module->reinitialise(exclusive);
        BOOST_REQUIRE(!failed);
        BOOST_TEST((failed.error().code == Errc::unavailable));
        BOOST_TEST(failed.error().message.find("CKR_GENERAL_ERROR") != std::string::npos, failed.error().message);
        BOOST_TEST(hsm.module->generation() == 1U);
        CK_ULONG count = 0;
        BOOST_TEST(hsm.functions()->C_GetSlotList(CK_TRUE, nullptr, &count) == CKR_CRYPTOKI_NOT_INITIALIZED);
    }
    ::setenv("SOFTHSM2_CONF", (hsm.dir / "softhsm2.conf").c_str(), 1);
    {
        auto exclusive = hsm.module->exclusive();
        const auto again = hsm.module->reinitialise(exclusive);
        BOOST_REQUIRE_MESSAGE(again, (again ? "" : test::message_of(again.error())));
        BOOST_TEST(hsm.module->generation() == 1U);  // nothing was finalised this time
    }
    // The token is back; the session from before is not (§5.4).
    CK_SESSION_INFO info{};
    BOOST_TEST(hsm.functions()->C_GetSessionInfo(before, &info) == CKR_SESSION_HANDLE_INVALID);
    BOOST_TEST(test::slots_labelled(hsm.functions(), test::token_label).size() == 1U);
}

BOOST_AUTO_TEST_CASE(ckr_names) {
    BOOST_TEST(ckr_name(CKR_OK) == "CKR_OK");
    BOOST_TEST(ckr_name(CKR_PIN_INCORRECT) == "CKR_PIN_INCORRECT");
    BOOST_TEST(ckr_name(CKR_PIN_LOCKED) == "CKR_PIN_LOCKED");
    BOOST_TEST(ckr_name(CKR_SESSION_HANDLE_INVALID) == "CKR_SESSION_HANDLE_INVALID");
    BOOST_TEST(ckr_name(CKR_DEVICE_ERROR) == "CKR_DEVICE_ERROR");
    BOOST_TEST(ckr_name(CKR_FUNCTION_REJECTED) == "CKR_FUNCTION_REJECTED");
    BOOST_TEST(ckr_name(0x1F3) == "CKR 0x1F3");
    BOOST_TEST(ckr_name(CKR_VENDOR_DEFINED + 0x2A) == "CKR_VENDOR_DEFINED+0x2A");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace signet::hsm
