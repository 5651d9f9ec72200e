# AWS WAF in front of the ALB: IP reputation, anonymous IPs, known bad inputs
# (Log4j etc.), the common rule set, an optional allow-list for the admin, the
# Twilio webhooks refused without X-Twilio-Signature and Meta's without
# X-Hub-Signature-256, a body-size limit on the public JSON/form endpoints, and
# two per-IP rate limits (one for the webhooks, sized for Twilio's bursts, one
# for everything else).
#
# The webhook body is free text typed by customers ("<3", SQL-looking words,
# long messages): a false positive there loses a customer message, so the
# managed rules that inspect the body only COUNT. The size of a body is not a
# matter of taste: the custom body-size rule BLOCKS. Twilio sends from a small
# pool of IPs, so the webhooks get their own, much higher, per-IP limit; the
# app still verifies the signature of every request.
#
# Logs keep only blocked or counted requests, with the authorization and cookie
# headers redacted (staff session cookies and API keys never reach the logs).

locals {
  # ALB web ACLs inspect at most the first 8 KB of a body; anything longer
  # matches the size rule (oversize_handling = MATCH) and is blocked.
  alb_body_inspection_limit = 8192
}

resource "aws_wafv2_web_acl" "this" {
  name  = var.name
  scope = "REGIONAL"

  default_action {
    allow {}
  }

  rule {
    name     = "aws-ip-reputation"
    priority = 10

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        name        = "AWSManagedRulesAmazonIpReputationList"
        vendor_name = "AWS"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-ip-reputation"
      sampled_requests_enabled   = true
    }
  }

  # Tor exit nodes, anonymising proxies and VPNs. Its HostingProviderIPList
  # rule only counts: Twilio delivers webhooks from cloud-hosted addresses.
  rule {
    name     = "aws-anonymous-ip"
    priority = 15

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        name        = "AWSManagedRulesAnonymousIpList"
        vendor_name = "AWS"

        rule_action_override {
          name = "HostingProviderIPList"
          action_to_use {
            count {}
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-anonymous-ip"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "aws-known-bad-inputs"
    priority = 20

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        name        = "AWSManagedRulesKnownBadInputsRuleSet"
        vendor_name = "AWS"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-known-bad-inputs"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "aws-common"
    priority = 30

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        name        = "AWSManagedRulesCommonRuleSet"
        vendor_name = "AWS"

        rule_action_override {
          name = "SizeRestrictions_BODY"
          action_to_use {
            count {}
          }
        }

        rule_action_override {
          name = "CrossSiteScripting_BODY"
          action_to_use {
            count {}
          }
        }

        rule_action_override {
          name = "GenericLFI_BODY"
          action_to_use {
            count {}
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-common"
      sampled_requests_enabled   = true
    }
  }

  # Optional: the admin only from these networks (offices, VPN).
  dynamic "rule" {
    for_each = length(var.admin_allowed_cidrs) > 0 ? [1] : []

    content {
      name     = "admin-allow-list"
      priority = 5

      action {
        block {}
      }

      statement {
        and_statement {
          statement {
            byte_match_statement {
              search_string         = "/${var.admin_path}"
              positional_constraint = "STARTS_WITH"

              field_to_match {
                uri_path {}
              }

              text_transformation {
                priority = 0
                type     = "NONE"
              }
            }
          }

          statement {
            not_statement {
              statement {
                ip_set_reference_statement {
                  arn = aws_wafv2_ip_set.admin[0].arn
                }
              }
            }
          }
        }
      }

      visibility_config {
        cloudwatch_metrics_enabled = true
        metric_name                = "${var.name}-admin-allow-list"
        sampled_requests_enabled   = true
      }
    }
  }

  # Twilio signs every webhook; a request to the webhook paths without the
  # header can only be someone else's. The app still checks the signature.
  # Meta's webhook, under the same prefix, has its own rule below.
  rule {
    name     = "twilio-webhook-requires-signature"
    priority = 35

    action {
      block {}
    }

    statement {
      and_statement {
        statement {
          byte_match_statement {
            search_string         = var.webhook_path_prefix
            positional_constraint = "STARTS_WITH"

            field_to_match {
              uri_path {}
            }

            text_transformation {
              priority = 0
              type     = "NONE"
            }
          }
        }

        statement {
          not_statement {
            statement {
              byte_match_statement {
                search_string         = var.meta_webhook_path
                positional_constraint = "STARTS_WITH"

                field_to_match {
                  uri_path {}
                }

                text_transformation {
                  priority = 0
                  type     = "NONE"
                }
              }
            }
          }
        }

        statement {
          not_statement {
            statement {
              size_constraint_statement {
                comparison_operator = "GT"
                size                = 0

                field_to_match {
                  single_header {
                    name = "x-twilio-signature"
                  }
                }

                text_transformation {
                  priority = 0
                  type     = "NONE"
                }
              }
            }
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-twilio-signature"
      sampled_requests_enabled   = true
    }
  }

  # Meta's WhatsApp Cloud API signs every event POST with X-Hub-Signature-256;
  # only its subscription handshake (a GET with hub.verify_token, which the app
  # checks) comes unsigned. Anything else without the header is refused here.
  rule {
    name     = "meta-webhook-requires-signature"
    priority = 37

    action {
      block {}
    }

    statement {
      and_statement {
        statement {
          byte_match_statement {
            search_string         = var.meta_webhook_path
            positional_constraint = "STARTS_WITH"

            field_to_match {
              uri_path {}
            }

            text_transformation {
              priority = 0
              type     = "NONE"
            }
          }
        }

        statement {
          not_statement {
            statement {
              byte_match_statement {
                search_string         = "GET"
                positional_constraint = "EXACTLY"

                field_to_match {
                  method {}
                }

                text_transformation {
                  priority = 0
                  type     = "NONE"
                }
              }
            }
          }
        }

        statement {
          not_statement {
            statement {
              size_constraint_statement {
                comparison_operator = "GT"
                size                = 0

                field_to_match {
                  single_header {
                    name = "x-hub-signature-256"
                  }
                }

                text_transformation {
                  priority = 0
                  type     = "NONE"
                }
              }
            }
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-meta-signature"
      sampled_requests_enabled   = true
    }
  }

  # The managed SizeRestrictions_BODY rule only counts (admin CSV imports are
  # larger); this one blocks bodies over the limit on the public endpoints
  # (webhooks, /chat, the web chat). The app caps /chat at 16 KB, but an ALB
  # web ACL sees only the first 8 KB: a body longer than that is blocked here.
  # Except Meta's webhook: it batches messages and statuses in one signed POST
  # that may pass 8 KB (the app refuses more than 256 KB before checking the
  # signature), and a blocked POST would be redelivered, and blocked, for days.
  rule {
    name     = "public-body-size"
    priority = 36

    action {
      block {}
    }

    statement {
      and_statement {
        statement {
          regex_match_statement {
            regex_string = var.public_body_paths_regex

            field_to_match {
              uri_path {}
            }

            text_transformation {
              priority = 0
              type     = "NONE"
            }
          }
        }

        statement {
          not_statement {
            statement {
              byte_match_statement {
                search_string         = var.meta_webhook_path
                positional_constraint = "STARTS_WITH"

                field_to_match {
                  uri_path {}
                }

                text_transformation {
                  priority = 0
                  type     = "NONE"
                }
              }
            }
          }
        }

        statement {
          size_constraint_statement {
            comparison_operator = "GT"
            size                = min(var.max_public_body_bytes, local.alb_body_inspection_limit)

            field_to_match {
              body {
                oversize_handling = "MATCH"
              }
            }

            text_transformation {
              priority = 0
              type     = "NONE"
            }
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-body-size"
      sampled_requests_enabled   = true
    }
  }

  # Twilio's webhooks: a message in and, for every reply part, up to three
  # status callbacks (sent, delivered, read), all from a small pool of Twilio
  # addresses. The limit is per address and 5 minutes, sized for a burst of
  # several hundred customers writing at once from one Twilio edge address.
  rule {
    name     = "rate-limit-webhooks-per-ip"
    priority = 39

    action {
      block {}
    }

    statement {
      rate_based_statement {
        limit              = var.webhook_rate_limit_per_5_minutes
        aggregate_key_type = "IP"

        scope_down_statement {
          byte_match_statement {
            search_string         = var.webhook_path_prefix
            positional_constraint = "STARTS_WITH"

            field_to_match {
              uri_path {}
            }

            text_transformation {
              priority = 0
              type     = "NONE"
            }
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-webhook-rate-limit"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "rate-limit-per-ip"
    priority = 40

    action {
      block {}
    }

    statement {
      rate_based_statement {
        limit              = var.rate_limit_per_5_minutes
        aggregate_key_type = "IP"

        scope_down_statement {
          not_statement {
            statement {
              byte_match_statement {
                search_string         = var.webhook_path_prefix
                positional_constraint = "STARTS_WITH"

                field_to_match {
                  uri_path {}
                }

                text_transformation {
                  priority = 0
                  type     = "NONE"
                }
              }
            }
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-rate-limit"
      sampled_requests_enabled   = true
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = var.name
    sampled_requests_enabled   = true
  }
}

resource "aws_wafv2_ip_set" "admin" {
  count = length(var.admin_allowed_cidrs) > 0 ? 1 : 0

  name               = "${var.name}-admin"
  scope              = "REGIONAL"
  ip_address_version = "IPV4"
  addresses          = var.admin_allowed_cidrs
}

resource "aws_wafv2_web_acl_association" "this" {
  resource_arn = aws_lb.this.arn
  web_acl_arn  = aws_wafv2_web_acl.this.arn
}

# WAF requires the log group name to start with "aws-waf-logs-".
resource "aws_cloudwatch_log_group" "waf" {
  #checkov:skip=CKV_AWS_338:Retention is set per environment (var.log_retention_days, 30-90 days); only blocked/counted requests are logged.
  name              = "aws-waf-logs-${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_wafv2_web_acl_logging_configuration" "this" {
  resource_arn            = aws_wafv2_web_acl.this.arn
  log_destination_configs = [aws_cloudwatch_log_group.waf.arn]

  # Staff session cookies and API keys (Bearer) never reach the logs.
  redacted_fields {
    single_header {
      name = "authorization"
    }
  }

  redacted_fields {
    single_header {
      name = "cookie"
    }
  }

  # Keep only what WAF blocked or counted: allowed requests are in the ALB access logs.
  logging_filter {
    default_behavior = "DROP"

    filter {
      behavior    = "KEEP"
      requirement = "MEETS_ANY"

      condition {
        action_condition {
          action = "BLOCK"
        }
      }

      condition {
        action_condition {
          action = "COUNT"
        }
      }
    }
  }
}
