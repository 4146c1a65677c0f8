// Logos (issue 21): stored, returned and removed through the API; checked by a PDF worker and
// refused with the contract's errors when hostile; and shown in the visible box, where the
// reader sees them, with the French text in an embedded subset font.

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <sstream>

#include <zlib.h>

#include <nlohmann/json.hpp>

#include "tests/integration/appearance/rendering.hpp"
#include "tests/integration/support/fixture.hpp"
#include "tests/integration/support/pdf_samples.hpp"
#include "tests/integration/support/validators.hpp"
#include "tests/support/image_fixtures.hpp"
#include "tests/support/pdf_fixtures.hpp"

namespace {

using nlohmann::json;
using signet::image::test::Bytes;
using signet::image::test::encode_jpeg;
using signet::image::test::encode_png;
using signet::image::test::PngSpec;
using signet::test::HttpResult;
using signet::test::Installation;
using signet::test::read_file;
using signet::test::run;
using signet::test::TempDir;
using signet::test::write_file;

const std::string firm = "Société d'Expertise Comptable Dupré & Fils";

std::string text_of(const Bytes& bytes) { return std::string(bytes.begin(), bytes.end()); }

// A red disc on a transparent square: red pixels in the box mean the logo is drawn, white ones
// around it mean its transparency is kept.
Bytes red_disc_png(std::uint32_t side = 64) {
    PngSpec spec{side, side, 8, signet::image::test::png_rgba};
    for (std::uint32_t y = 0; y < side; ++y) {
        for (std::uint32_t x = 0; x < side; ++x) {
            const double dx = x + 0.5 - side / 2.0, dy = y + 0.5 - side / 2.0;
            const bool inside = dx * dx + dy * dy < side * side / 4.0;
            spec.samples.insert(spec.samples.end(), {255, 0, 0, static_cast<std::uint16_t>(inside ? 255 : 0)});
        }
    }
    return encode_png(spec);
}

// A decompression bomb: a 64 x 64 grey PNG whose image data inflates to 300 MB of zeros (a few
// hundred kilobytes in the file).
Bytes inflating_png() {
    z_stream zs{};
    deflateInit(&zs, 9);
    Bytes compressed(480 * 1024);
    zs.next_out = compressed.data();
    zs.avail_out = static_cast<uInt>(compressed.size());
    std::vector<std::uint8_t> zeros(1 << 20, 0);
    for (int mib = 0; mib < 300; ++mib) {
        zs.next_in = zeros.data();
        zs.avail_in = static_cast<uInt>(zeros.size());
        while (zs.avail_in > 0 && zs.avail_out > 0) deflate(&zs, Z_NO_FLUSH);
    }
    while (deflate(&zs, Z_FINISH) == Z_OK && zs.avail_out > 0) {
    }
    compressed.resize(compressed.size() - zs.avail_out);
    deflateEnd(&zs);
    Bytes png{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    const Bytes ihdr{0, 0, 0, 64, 0, 0, 0, 64, 8, signet::image::test::png_gray, 0, 0, 0};
    for (const auto& [type, data] : {std::pair<std::string_view, const Bytes*>{"IHDR", &ihdr}, {"IDAT", &compressed}}) {
        const Bytes chunk = signet::image::test::png_chunk(type, *data);
        png.insert(png.end(), chunk.begin(), chunk.end());
    }
    const Bytes end = signet::image::test::png_chunk("IEND", {});
    png.insert(png.end(), end.begin(), end.end());
    return png;
}

bool red(const signet::test::Rendering::Pixel& p) { return p.r > 200 && p.g < 80 && p.b < 80; }

// One installation for this file: a firm with a long French name, its EC and a preparer.
struct Firm {
    Installation inst;
    TempDir work{"signet-appearance"};

    Firm() {
        inst.put("/v1/tenants/cabinet-dupre", json{{"kind", "cabinet"}, {"name", firm}}.dump());
        inst.put("/v1/tenants/cabinet-dupre/members/emilie", json{{"role", "ec"}, {"name", "Émilie Lefèvre"}}.dump());
    }

    HttpResult put_logo(const Bytes& bytes, const std::string& type = "image/png", const std::string& client = "platform") {
        return inst.request("PUT", "/v1/tenants/cabinet-dupre/logo", text_of(bytes), client, type);
    }

    // A visible seal of `pdf` by Émilie with the box at `rect` on `page`; the signed file.
    std::filesystem::path seal(const std::filesystem::path& pdf, const std::string& name, int page,
                               const std::vector<double>& rect) {
        auto encoded = run({"base64", "-w0", pdf.string()}).output;
        json body{{"tenant", "cabinet-dupre"}, {"actor", "emilie"}, {"document", encoded},
                  {"appearance", {{"page", page}, {"rect", rect}}}};
        auto sealed = inst.request("POST", "/v1/seal", body.dump());
        BOOST_REQUIRE_MESSAGE(sealed.status == 200, sealed.body);
        const auto out = work / (name + ".pdf");
        write_file(out, run({"base64", "-d"}, sealed.json().at("document").get<std::string>()).output);
        validate(out, 1);
        return out;
    }

    void validate(const std::filesystem::path& file, int signatures) {
        auto report = signet::test::pdfsig(inst.nss_db, file);
        BOOST_TEST(report.valid == signatures, report.output);
        BOOST_TEST(report.trusted == signatures, report.output);
        auto [qpdf_exit, qpdf_output] = signet::test::qpdf_check(file);
        BOOST_TEST(qpdf_exit == 0, qpdf_output);
        auto cms = signet::test::openssl_verify_all(file, inst.install / "pki" / "signing-ca.pem", work.path());
        BOOST_TEST(cms.verified == signatures);
        for (const auto& failure : cms.failures) BOOST_ERROR(failure);
    }
};

Firm& office() {
    static Firm shared;
    return shared;
}

// A one-page letter whose page has this MediaBox and /Rotate.
std::filesystem::path page_with(const std::filesystem::path& dir, const std::string& name, const std::string& media,
                                int rotation) {
    const std::string content = "BT /F1 18 Tf 150 600 Td (Lettre de mission) Tj ET";
    auto pdf = signet::pdf::test::hand_written_pdf({
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox " + media + " /Rotate " + std::to_string(rotation) +
            " /Contents 4 0 R /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
        "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "\nendstream",
    });
    const auto path = dir / (name + ".pdf");
    write_file(path, pdf);
    return path;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(logos)

BOOST_AUTO_TEST_CASE(a_logo_is_stored_returned_and_removed) {
    Firm& f = office();
    const Bytes png = red_disc_png();
    auto put = f.put_logo(png);
    BOOST_TEST(put.status == 204, put.body);
    BOOST_TEST(put.body.empty());
    auto got = f.inst.request("GET", "/v1/tenants/cabinet-dupre/logo", "");
    BOOST_TEST(got.status == 200);
    BOOST_TEST(got.headers["content-type"] == "image/png");
    BOOST_TEST(got.body == text_of(png));
    // Replaced by a JPEG, then removed.
    const Bytes jpeg = encode_jpeg({120, 60, 4});
    BOOST_TEST(f.put_logo(jpeg, "image/jpeg").status == 204);
    got = f.inst.request("GET", "/v1/tenants/cabinet-dupre/logo", "");
    BOOST_TEST(got.headers["content-type"] == "image/jpeg");
    BOOST_TEST(got.body == text_of(jpeg));
    BOOST_TEST(f.inst.request("DELETE", "/v1/tenants/cabinet-dupre/logo", "").status == 204);
    auto gone = f.inst.request("GET", "/v1/tenants/cabinet-dupre/logo", "");
    BOOST_TEST(gone.status == 404);
    BOOST_TEST(gone.json().at("error") == "not_found");
    BOOST_TEST(f.inst.request("DELETE", "/v1/tenants/cabinet-dupre/logo", "").status == 404);
    // Each change is on record.
    int registered = 0, removed = 0;
    for (const auto& entry : f.inst.audit_entries()) {
        if (entry.at("event") == "logo_registered") ++registered;
        if (entry.at("event") == "logo_removed") ++removed;
    }
    BOOST_TEST(registered >= 2);
    BOOST_TEST(removed >= 1);
}

BOOST_AUTO_TEST_CASE(hostile_and_wrong_images_are_refused_and_signetd_stays_healthy) {
    Firm& f = office();
    PngSpec zero{0, 0, 8, signet::image::test::png_rgb};
    Bytes truncated = red_disc_png();
    truncated.resize(truncated.size() / 2);
    Bytes corrupt = red_disc_png();
    corrupt[signet::image::test::find_png_chunk(corrupt, "IDAT") + 4] ^= 0xFF;
    PngSpec iccp{8, 8, 8, signet::image::test::png_rgb};
    iccp.samples.assign(8 * 8 * 3, 128);
    iccp.extra_chunks.push_back({"iCCP", Bytes(400 * 1024, 0x41)});
    Bytes cut_jpeg = encode_jpeg({64, 64, 3});
    cut_jpeg.resize(cut_jpeg.size() * 2 / 3);
    struct Case {
        std::string name;
        Bytes body;
        std::string type;
        int status;
        std::string code;
    };
    std::vector<Case> cases{
        {"text", Bytes{'h', 'i'}, "text/plain", 415, "unsupported_media_type"},
        {"a PDF called a PDF", Bytes{'%', 'P', 'D', 'F'}, "application/pdf", 415, "unsupported_media_type"},
        {"over 512 KiB", Bytes(512 * 1024 + 1, 0), "image/png", 413, "too_large"},
        {"declared 60000 x 60000", signet::image::test::png_header_only(60000, 60000), "image/png", 413, "too_large"},
        {"declared 60000 x 60000 JPEG", Bytes{}, "image/jpeg", 413, "too_large"},
        {"0 x 0", encode_png(zero), "image/png", 422, "invalid_document"},
        {"truncated PNG", truncated, "image/png", 422, "invalid_document"},
        {"corrupt PNG data", corrupt, "image/png", 422, "invalid_document"},
        {"a huge iCCP chunk", encode_png(iccp), "image/png", 422, "invalid_document"},
        {"truncated JPEG", cut_jpeg, "image/jpeg", 422, "invalid_document"},
        {"a PDF posted as an image", Bytes(signet::test::sample_letter().begin(), signet::test::sample_letter().end()),
         "image/png", 422, "invalid_document"},
        {"a JPEG called a PNG", encode_jpeg({16, 16, 3}), "image/png", 422, "invalid_document"},
        {"wrong magic", Bytes{'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0}, "image/png", 422, "invalid_document"},
    };
    // A JPEG whose frame header declares 60000 x 60000.
    Bytes big = encode_jpeg({16, 16, 3});
    const std::size_t sof = signet::image::test::find_jpeg_segment(big, 0xC0);
    big[sof + 3] = 0xEA, big[sof + 4] = 0x60, big[sof + 5] = 0xEA, big[sof + 6] = 0x60;
    cases[4].body = big;
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.name) {
            auto refused = f.put_logo(c.body, c.type);
            BOOST_TEST(refused.status == c.status, refused.body);
            BOOST_TEST(refused.body.find("\"" + c.code + "\"") != std::string::npos, refused.body);
            BOOST_TEST(f.inst.healthy());
        }
    }
    // The bomb is refused once it has inflated past what 64 x 64 pixels hold, not at its end.
    const Bytes bomb = inflating_png();
    BOOST_TEST(bomb.size() < 512u * 1024u);
    const auto started = std::chrono::steady_clock::now();
    auto bombed = f.put_logo(bomb);
    BOOST_TEST(bombed.status == 422, bombed.body);
    BOOST_TEST(bombed.body.find("decompression bomb") != std::string::npos, bombed.body);
    BOOST_TEST_MESSAGE("decompression bomb: HTTP " << bombed.status << " in "
                       << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() << " s");
    BOOST_TEST(f.inst.healthy());
    BOOST_TEST(f.put_logo(red_disc_png(), "image/png", "auditor").status == 403);
    auto unknown = f.inst.request("PUT", "/v1/tenants/nobody/logo", text_of(red_disc_png()), "platform", "image/png");
    BOOST_TEST(unknown.status == 404, unknown.body);
    // Nothing hostile was stored.
    BOOST_TEST(f.inst.request("GET", "/v1/tenants/cabinet-dupre/logo", "").status == 404);
}

BOOST_AUTO_TEST_CASE(the_visible_seal_shows_the_logo_and_the_french_text) {
    Firm& f = office();
    const auto letter = signet::test::ps2pdf_sample(f.work.path(), "lettre", 1);
    const std::vector<double> rect{300, 40, 560, 120};
    const std::vector<double> a4{0, 0, 595, 842};
    auto area = signet::test::displayed_area(rect, a4, 0);

    (void)f.inst.request("DELETE", "/v1/tenants/cabinet-dupre/logo", "");
    BOOST_REQUIRE(f.inst.request("GET", "/v1/tenants/cabinet-dupre/logo", "").status == 404);
    auto plain = f.seal(letter, "sans-logo", 1, rect);
    auto plain_page = signet::test::render_page(plain, 1, f.work.path());
    BOOST_TEST(plain_page.count(static_cast<int>(area.x1), static_cast<int>(area.y1), static_cast<int>(area.x2),
                                static_cast<int>(area.y2), red) == 0);

    BOOST_REQUIRE(f.put_logo(red_disc_png()).status == 204);
    auto with_logo = f.seal(letter, "avec-logo", 1, rect);
    auto page = signet::test::render_page(with_logo, 1, f.work.path());
    const int inside = page.count(static_cast<int>(area.x1), static_cast<int>(area.y1), static_cast<int>(area.x2),
                                  static_cast<int>(area.y2), red);
    BOOST_TEST(inside > 500, inside << " red pixels in the box");
    BOOST_TEST(page.count(0, 0, page.width, page.height, red) == inside);  // none outside it
    // The disc's transparent corners leave the paper white at the box's left edge.
    auto corner = page.at(static_cast<int>(area.x1) + 6, static_cast<int>(area.y1) + 6);
    BOOST_TEST((corner.r > 200 && corner.g > 200 && corner.b > 200));

    const std::string text = signet::test::text_in_area(with_logo, 1, area.x1, area.y1, area.x2 - area.x1, area.y2 - area.y1);
    BOOST_TEST(text.find("Cachet électronique") != std::string::npos, text);
    BOOST_TEST(text.find(firm) != std::string::npos, text);
    // The font is embedded as a subset, with the text mapped back to Unicode.
    auto fonts = run({"pdffonts", with_logo.string()});
    BOOST_TEST(fonts.output.find("DejaVuSans") != std::string::npos, fonts.output);
    bool embedded_subset = false;
    std::istringstream lines(fonts.output);
    for (std::string line; std::getline(lines, line);) {
        if (line.find("DejaVuSans") != std::string::npos && line.find("yes yes yes") != std::string::npos) embedded_subset = true;
    }
    BOOST_TEST(embedded_subset, fonts.output);
}

BOOST_AUTO_TEST_CASE(cmyk_and_grey_jpegs_show_in_the_box) {
    Firm& f = office();
    const auto letter = signet::test::ps2pdf_sample(f.work.path(), "lettre-jpeg", 1);
    const std::vector<double> rect{40, 40, 300, 120};
    for (int components : {1, 4}) {
        BOOST_TEST_CONTEXT(components << " components") {
            BOOST_REQUIRE(f.put_logo(encode_jpeg({160, 80, components}), "image/jpeg").status == 204);
            auto sealed = f.seal(letter, "jpeg-" + std::to_string(components), 1, rect);
            auto images = run({"pdfimages", "-list", sealed.string()});
            BOOST_TEST(images.output.find(components == 1 ? "gray" : "cmyk") != std::string::npos, images.output);
            BOOST_TEST(images.output.find("jpeg") != std::string::npos, images.output);
            auto page = signet::test::render_page(sealed, 1, f.work.path());
            auto area = signet::test::displayed_area(rect, {0, 0, 595, 842}, 0);
            // The gradient is not the paper: some pixels of the logo's part are far from white.
            const int dark = page.count(static_cast<int>(area.x1), static_cast<int>(area.y1),
                                        static_cast<int>(area.x1 + 80), static_cast<int>(area.y2),
                                        [](auto p) { return p.r + p.g + p.b < 500; });
            BOOST_TEST(dark > 200);
        }
    }
}

BOOST_AUTO_TEST_CASE(boxes_land_where_placed_on_rotated_pages_and_offset_media_boxes) {
    Firm& f = office();
    BOOST_REQUIRE(f.put_logo(red_disc_png()).status == 204);
    struct Case {
        std::string name;
        std::vector<double> media;
        int rotation;
        std::vector<double> rect;
    };
    const std::vector<Case> cases{
        {"rotate-90", {0, 0, 595, 842}, 90, {60, 500, 160, 780}},
        {"rotate-270", {0, 0, 595, 842}, 270, {400, 60, 500, 340}},
        {"offset-media-box", {100, 200, 695, 1042}, 0, {380, 260, 640, 340}},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.name) {
            auto pdf = page_with(f.work.path(), c.name,
                                 "[" + std::to_string(c.media[0]) + " " + std::to_string(c.media[1]) + " " +
                                     std::to_string(c.media[2]) + " " + std::to_string(c.media[3]) + "]",
                                 c.rotation);
            auto sealed = f.seal(pdf, c.name + "-sealed", 1, c.rect);
            auto page = signet::test::render_page(sealed, 1, f.work.path());
            auto area = signet::test::displayed_area(c.rect, c.media, c.rotation);
            const int inside = page.count(static_cast<int>(area.x1), static_cast<int>(area.y1),
                                          static_cast<int>(area.x2), static_cast<int>(area.y2), red);
            BOOST_TEST(inside > 300, inside << " red pixels in the box");
            BOOST_TEST(page.count(0, 0, page.width, page.height, red) == inside);
            // Upright for the reader: pdftotext reads the box's lines in order within it.
            const std::string text =
                signet::test::text_in_area(sealed, 1, area.x1, area.y1, area.x2 - area.x1, area.y2 - area.y1);
            BOOST_TEST(text.find("Cachet électronique") != std::string::npos, text);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
