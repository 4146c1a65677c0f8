// The worker wire: requests and replies survive the round trip, and malformed or oversized
// input is refused before anything is allocated for it.

#include <boost/test/unit_test.hpp>

#include <sys/socket.h>

#include "base/unique_fd.hpp"
#include "pdf/worker/worker_protocol.hpp"
#include "tests/support/pdf_fixtures.hpp"

namespace signet::pdf::test {

BOOST_AUTO_TEST_SUITE(worker_protocol_test)

BOOST_AUTO_TEST_CASE(a_request_round_trips) {
    PrepareRequest request;
    request.appearance = box_at(3, {1.5, 2, 300.25, 400}, {"Signé", "", "line"});
    request.appearance->field = "Client";
    request.appearance->signer = "p-1";
    request.appearance->logo_file = std::make_shared<const std::vector<std::uint8_t>>(3, 7);
    request.signing_time = std::chrono::system_clock::now();
    request.contents_size = 12345;
    request.reason = "approval";
    bool has_logo = false;
    const auto header = worker::encode_request(request);
    auto decoded = worker::decode_request(header, has_logo);
    BOOST_REQUIRE(decoded);
    // The logo travels in a frame of its own.
    BOOST_TEST(has_logo);
    BOOST_TEST(worker::expects_payload(header).value());
    BOOST_TEST(!decoded->appearance->logo_file);
    BOOST_TEST(decoded->appearance->field == "Client");
    BOOST_TEST(decoded->appearance->signer == "p-1");
    BOOST_REQUIRE(decoded->appearance.has_value());
    BOOST_TEST(decoded->appearance->page == 3);
    BOOST_TEST(decoded->appearance->rect == request.appearance->rect);
    BOOST_TEST(decoded->appearance->lines == request.appearance->lines);
    BOOST_TEST((decoded->signing_time == request.signing_time));
    BOOST_TEST(decoded->contents_size == 12345u);
    BOOST_TEST(decoded->reason == "approval");
    BOOST_TEST(!decoded->document_timestamp);

    PrepareRequest stamp;
    stamp.contents_size = 8192;
    stamp.document_timestamp = true;
    auto stamped = worker::decode_request(worker::encode_request(stamp), has_logo);
    BOOST_REQUIRE(stamped);
    BOOST_TEST(!has_logo);
    BOOST_TEST(stamped->document_timestamp);
    BOOST_TEST(!stamped->appearance.has_value());
}

BOOST_AUTO_TEST_CASE(fields_and_logo_replies_round_trip) {
    std::vector<FieldRequest> fields{{"Client", 2, {10, 20, 200, 80}, "p-9"}, {"EC", 1, {0, 0, 1, 1}, ""}};
    const auto header = worker::encode_fields_request(fields);
    BOOST_TEST(!worker::expects_payload(header).value());
    auto decoded = worker::decode_fields_request(header);
    BOOST_REQUIRE(decoded);
    BOOST_REQUIRE(decoded->size() == 2u);
    BOOST_TEST((*decoded)[0].name == "Client");
    BOOST_TEST((*decoded)[0].page == 2);
    BOOST_TEST((*decoded)[0].rect == fields[0].rect);
    BOOST_TEST((*decoded)[0].signer == "p-9");
    auto cut = header;
    cut.pop_back();
    BOOST_TEST(!worker::decode_fields_request(cut).has_value());

    auto info = worker::decode_logo_reply(worker::encode_logo_reply(worker::LogoInfo{image::Format::jpeg, 640, 480}));
    BOOST_REQUIRE(info);
    BOOST_REQUIRE(info->has_value());
    BOOST_TEST(((*info)->format == image::Format::jpeg));
    BOOST_TEST((*info)->width == 640u);
    auto large = worker::decode_logo_reply(worker::encode_logo_reply(fail(Errc::too_large, "60000 x 60000")));
    BOOST_REQUIRE(large);
    BOOST_TEST((!large->has_value() && large->error().code == Errc::too_large));
    // A size no decoder would have accepted is a lying worker.
    BOOST_TEST(!worker::decode_logo_reply(worker::encode_logo_reply(worker::LogoInfo{image::Format::png, 5000, 1})));
}

BOOST_AUTO_TEST_CASE(malformed_requests_and_replies_are_refused) {
    PrepareRequest request;
    request.contents_size = 10;
    auto header = worker::encode_request(request);
    auto truncated = header;
    truncated.pop_back();
    bool has_logo = false;
    BOOST_TEST(!worker::decode_request(truncated, has_logo).has_value());
    auto longer = header;
    longer.push_back(0);
    BOOST_TEST(!worker::decode_request(longer, has_logo).has_value());

    auto refusal = worker::encode_reply(fail(Errc::invalid_document, "the document is not a PDF"));
    auto decoded = worker::decode_reply(refusal);
    BOOST_REQUIRE(decoded);
    BOOST_REQUIRE(!decoded->has_value());
    BOOST_TEST(decoded->error().code == Errc::invalid_document);
    BOOST_TEST(decoded->error().message == "the document is not a PDF");
    // A worker may not claim to be the HSM or the policy.
    BOOST_TEST(!worker::decode_reply(worker::encode_reply(fail(Errc::approval_required, "no"))).has_value());
    BOOST_TEST(!worker::decode_reply(worker::encode_reply(fail(Errc::unavailable, "no"))).has_value());
    auto forged = refusal;
    forged.back() = '\n';  // control characters would reach the logs
    BOOST_TEST(!worker::decode_reply(forged).has_value());
}

BOOST_AUTO_TEST_CASE(an_oversized_frame_is_refused_before_it_is_read) {
    int pair[2];
    BOOST_REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0);
    UniqueFd a(pair[0]);
    UniqueFd b(pair[1]);
    const std::vector<std::uint8_t> payload(100, 7);
    BOOST_REQUIRE(worker::send_frame(a.get(), payload, worker::no_deadline));
    auto received = worker::receive_frame(b.get(), 99, worker::no_deadline);
    BOOST_REQUIRE(!received);
    BOOST_TEST(received.error().message.find("exceeds the limit") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_silent_peer_times_out) {
    int pair[2];
    BOOST_REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0);
    UniqueFd a(pair[0]);
    UniqueFd b(pair[1]);
    auto received = worker::receive_frame(b.get(), 100, worker::Clock::now() + std::chrono::milliseconds(50));
    BOOST_REQUIRE(!received);
    BOOST_TEST(received.error().message == "timed out");
    a.reset();
    received = worker::receive_frame(b.get(), 100, worker::no_deadline);
    BOOST_REQUIRE(!received);
    BOOST_TEST(received.error().message == "the worker closed the connection");
}

BOOST_AUTO_TEST_CASE(validation_data_and_signature_lists_round_trip) {
    ValidationData item;
    item.vri_key = "A9993E364706816ABA3E25717850C26C9CD0D89D";
    item.time = std::chrono::system_clock::now();
    item.certificates = {{0x30, 0x01, 0x00}, {0x30, 0x00}};
    item.crls = {{0x30, 0x02, 0x05, 0x00}};
    const std::vector<ValidationData> data{item, ValidationData{}};
    auto decoded = worker::decode_validation_data(worker::encode_validation_data(data));
    BOOST_REQUIRE(decoded);
    BOOST_REQUIRE(decoded->size() == 2U);
    BOOST_TEST((*decoded)[0].vri_key == item.vri_key);
    BOOST_TEST(((*decoded)[0].time == item.time));
    BOOST_TEST((*decoded)[0].certificates == item.certificates);
    BOOST_TEST((*decoded)[0].ocsp_responses.empty());
    BOOST_TEST((*decoded)[0].crls == item.crls);
    auto truncated = worker::encode_validation_data(data);
    truncated.pop_back();
    BOOST_TEST(!worker::decode_validation_data(truncated).has_value());

    SignatureField field;
    field.name = "Signature1";
    field.sub_filter = "ETSI.CAdES.detached";
    field.byte_range = {0, 10, 30, 5};
    field.contents = {0x30, 0x00, 0x00};
    field.covered_vri_keys = {std::string(40, 'A')};
    SignatureList list;
    list.fields = {field};
    list.vri_keys = {std::string(40, 'A'), std::string(40, 'B')};
    auto listed = worker::decode_fields_reply(worker::encode_fields_reply(list));
    BOOST_REQUIRE(listed);
    BOOST_REQUIRE(*listed);
    BOOST_REQUIRE((*listed)->fields.size() == 1U);
    const SignatureField& decoded_field = (*listed)->fields[0];
    BOOST_TEST(decoded_field.name == "Signature1");
    BOOST_TEST((decoded_field.byte_range == field.byte_range));
    BOOST_TEST(decoded_field.contents == field.contents);
    BOOST_TEST(decoded_field.covered_vri_keys == field.covered_vri_keys);
    BOOST_TEST((*listed)->vri_keys == list.vri_keys);
    // A /VRI key that is not 40 characters makes the reply malformed.
    list.vri_keys = {"short"};
    BOOST_TEST(!worker::decode_fields_reply(worker::encode_fields_reply(list)).has_value());
    auto refusal = worker::decode_fields_reply(worker::encode_fields_reply(fail(Errc::invalid_document, "not a PDF")));
    BOOST_REQUIRE(refusal);
    BOOST_REQUIRE(!*refusal);
    BOOST_TEST((refusal->error().code == Errc::invalid_document));
    // A code that is not a worker's to give makes the reply malformed.
    BOOST_TEST(!worker::decode_fields_reply(worker::encode_fields_reply(fail(Errc::unavailable, "no"))).has_value());

    BOOST_TEST((worker::decode_kind(worker::encode_kind(worker::JobKind::add_dss)).value() == worker::JobKind::add_dss));
    std::vector<std::uint8_t> unknown = worker::encode_kind(worker::JobKind::list_signatures);
    unknown[0] = 7;
    BOOST_TEST(!worker::decode_kind(unknown).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace signet::pdf::test
