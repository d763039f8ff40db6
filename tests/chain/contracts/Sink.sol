// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// A contract no decoder knows, for pipit's transaction tests: poke stores a number (an unknown
/// contract call), fail always reverts (a failed transaction), fakeTransfer emits an ERC-20-shaped
/// Transfer from a contract that is no token (no decimals/symbol: its "transfers" are no events).
contract Sink {
    uint256 public last;

    event Transfer(address indexed from, address indexed to, uint256 value);

    function poke(uint256 x) external {
        last = x;
    }

    function fail(uint256) external pure {
        revert("Sink: always fails");
    }

    function fakeTransfer(address from, address to, uint256 value) external {
        emit Transfer(from, to, value);
    }
}
