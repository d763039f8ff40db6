/* Exchange signatures equal the exchanges' own published examples. */
#include "../../services/exchanges/sign.h"
#include "unit.h"

UNIT_TEST(kraken_matches_the_documented_example)
{
    char sig[100];
    int rc = kraken_sign("kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==",
                         "/0/private/AddOrder", "1616492376594",
                         "nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25", sig, sizeof sig);
    CHECK_EQ_INT(rc, 0);
    CHECK_EQ_STR(sig, "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==");
    CHECK_EQ_INT(kraken_sign("not base64!", "/0/private/Balance", "1", "nonce=1", sig, sizeof sig), -1);
    CHECK_EQ_INT(kraken_sign("a2V5", "/0/private/Balance", "1", "nonce=1", sig, 10), -1);
}

UNIT_TEST(binance_matches_the_documented_example)
{
    char sig[65];
    int rc = binance_sign("NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j",
                          "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559",
                          sig, sizeof sig);
    CHECK_EQ_INT(rc, 0);
    CHECK_EQ_STR(sig, "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71");
    CHECK_EQ_INT(binance_sign("k", "q", sig, 64), -1);
}

UNIT_SUITE(suite_sign, UNIT_CASE(kraken_matches_the_documented_example), UNIT_CASE(binance_matches_the_documented_example));
