// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// A minimal ERC-20 for pipit's chain tests. Metadata is fixed at deployment; mintMany lets the
/// fixture fund many holders in one transaction.
contract TestToken {
    string public name;
    string public symbol;
    uint8 public decimals;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;

    // only the deployer (the fixture) may mint
    address private immutable minter;

    event Transfer(address indexed from, address indexed to, uint256 value);

    constructor(string memory name_, string memory symbol_, uint8 decimals_) {
        name = name_;
        symbol = symbol_;
        decimals = decimals_;
        minter = msg.sender;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        uint256 have = balanceOf[msg.sender];
        require(have >= amount, "TestToken: balance too low");
        unchecked {
            balanceOf[msg.sender] = have - amount;
        }
        // cannot overflow: the total supply bounds every balance
        unchecked {
            balanceOf[to] += amount;
        }
        emit Transfer(msg.sender, to, amount);
        return true;
    }

    /// Credits amounts[i] to to[i]; reverts when the total supply would pass 2^256 - 1.
    function mintMany(address[] calldata to, uint256[] calldata amounts) external {
        require(msg.sender == minter, "TestToken: not the minter");
        require(to.length == amounts.length, "TestToken: length mismatch");
        uint256 supply = totalSupply;
        for (uint256 i = 0; i < to.length; ++i) {
            supply += amounts[i]; // checked: overflow reverts the whole mint
            unchecked {
                balanceOf[to[i]] += amounts[i];
            }
            emit Transfer(address(0), to[i], amounts[i]);
        }
        totalSupply = supply;
    }
}
