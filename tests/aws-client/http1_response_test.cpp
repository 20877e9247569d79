#include "aws-client/http1_response.h"

#include <gtest/gtest.h>

namespace i2kit::aws {
namespace {

TEST(Http1Response, WaitsForTheWholeContentLengthBody) {
  std::string bytes = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A:  b \r\n\r\nhel";
  auto partial = ParseHttp1Response(bytes, false);
  ASSERT_TRUE(partial.ok());
  EXPECT_FALSE(partial->has_value());
  auto whole = ParseHttp1Response(bytes + "lo", false);
  ASSERT_TRUE(whole.ok() && whole->has_value());
  EXPECT_EQ((*whole)->status, 200);
  EXPECT_EQ((*whole)->body, "hello");
  EXPECT_EQ(FindHeader((*whole)->headers, "x-a"), "b");
}

TEST(Http1Response, DecodesChunkedBodiesWithExtensionsAndTrailers) {
  std::string bytes =
      "HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4;ext=1\r\nWiki\r\nA\r\npedia in c\r\n0\r\nTrailer: x\r\n\r\n";
  auto response = ParseHttp1Response(bytes, false);
  ASSERT_TRUE(response.ok()) << response.status().message();
  ASSERT_TRUE(response->has_value());
  EXPECT_EQ((*response)->status, 400);
  EXPECT_EQ((*response)->body, "Wikipedia in c");
  auto cut = ParseHttp1Response(bytes.substr(0, bytes.size() - 2), false);
  ASSERT_TRUE(cut.ok());
  EXPECT_FALSE(cut->has_value());
}

TEST(Http1Response, AChunkSizeNearTheLimitWaitsForMoreInsteadOfWrappingAround) {
  // fffffffffffffffe + 2 wraps to 0 in size_t: the chunk must not pass for one that is there
  // (the buffer's rest taken as its body, then the size line read again as its end).
  std::string bytes =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "fffffffffffffffe\r\n0\r\n\r\n";
  auto response = ParseHttp1Response(bytes, false);
  ASSERT_TRUE(response.ok()) << response.status().message();
  EXPECT_FALSE(response->has_value());
}

TEST(Http1Response, AnUnframedBodyEndsWithTheConnection) {
  std::string bytes = "HTTP/1.0 200 OK\r\n\r\nall of it";
  EXPECT_FALSE(ParseHttp1Response(bytes, false)->has_value());
  auto response = ParseHttp1Response(bytes, true);
  ASSERT_TRUE(response.ok() && response->has_value());
  EXPECT_EQ((*response)->body, "all of it");
}

TEST(Http1Response, NoBodyForHeadAnd204) {
  auto head = ParseHttp1Response("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", false, true);
  ASSERT_TRUE(head.ok() && head->has_value());
  EXPECT_EQ((*head)->body, "");
  auto no_content = ParseHttp1Response("HTTP/1.1 204 No Content\r\n\r\n", false);
  ASSERT_TRUE(no_content.ok() && no_content->has_value());
}

TEST(Http1Response, AConnectionClosedEarlyIsAnError) {
  EXPECT_FALSE(ParseHttp1Response("HTTP/1.1 200 OK\r\nContent-Le", true).ok());
  auto short_body = ParseHttp1Response("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", true);
  ASSERT_FALSE(short_body.ok());
  EXPECT_NE(short_body.status().message().find("3 of 9"), std::string::npos);
  EXPECT_FALSE(
      ParseHttp1Response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", true)
          .ok());
}

TEST(Http1Response, RejectsMalformedResponses) {
  EXPECT_FALSE(ParseHttp1Response("SSH-2.0-OpenSSH\r\n\r\n", false).ok());
  EXPECT_FALSE(ParseHttp1Response("HTTP/1.1 2x0 OK\r\n\r\n", false).ok());
  EXPECT_FALSE(ParseHttp1Response("HTTP/1.1 200 OK\r\nno colon\r\n\r\n", false).ok());
  EXPECT_FALSE(ParseHttp1Response("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", false).ok());
  EXPECT_FALSE(
      ParseHttp1Response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", false)
          .ok());
  EXPECT_FALSE(ParseHttp1Response("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", true).ok());
}

}  // namespace
}  // namespace i2kit::aws
