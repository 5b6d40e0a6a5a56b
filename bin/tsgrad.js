#!/usr/bin/env node
import "../dist/transformer/cli/main.js";
