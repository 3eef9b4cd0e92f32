import Testing
@testable import Collapse
