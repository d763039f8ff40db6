// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// A token whose name() and symbol() return bytes32, as MKR and other early ERC-20s do; for
/// pipit's asset registry tests. It holds no balances.
contract Bytes32Token {
    bytes32 public name;
    bytes32 public symbol;
    uint8 public decimals;

    constructor(bytes32 name_, bytes32 symbol_, uint8 decimals_) {
        name = name_;
        symbol = symbol_;
        decimals = decimals_;
    }
}
