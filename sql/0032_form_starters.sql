-- 0032_form_starters.sql: the starter forms every clinic may copy (issue
-- 15, DESIGN.md section 15): a dental medical history, a treatment consent
-- and the KVKK notice with explicit consents, in Turkish and English.
--
-- Each definition is canonical JSON (include/portal/forms.h) and passes
-- form_def_check() in both languages: tests/unit/forms_test.c reads this
-- file, each definition between its dollar quotes, and checks each. A
-- clinic copies a starter into a form of its own (POST clinic/forms with
-- "starter"); a starter is never assigned by itself, and changing one
-- here changes no clinic's form.

INSERT INTO form_starters (key, position, definition) VALUES
('medical_history', 1, $def${
  "title": {
    "tr": "Tıbbi öykü formu",
    "en": "Medical history form"
  },
  "description": {
    "tr": "Tedavinizi güvenle planlayabilmemiz için genel sağlığınızı soruyoruz. Yanıtlarınızı yalnızca sizi tedavi eden ekip görür.",
    "en": "We ask about your general health so that we can plan your treatment safely. Only the team treating you sees your answers."
  },
  "items": [
    {
      "link_id": "intro",
      "type": "display",
      "text": {
        "tr": "Emin olmadığınız bir konuyu muayenede hekiminizle konuşabilirsiniz. Kullandığınız ilaçlar ve alerjileriniz, uyuşturma ve reçete için özellikle önemlidir.",
        "en": "If you are unsure about anything, talk it over with your dentist at the visit. Your medicines and allergies matter most for anaesthesia and prescriptions."
      }
    },
    {
      "link_id": "visit",
      "type": "group",
      "text": {
        "tr": "Bu ziyaret",
        "en": "This visit"
      },
      "items": [
        {
          "link_id": "complaint",
          "type": "text",
          "text": {
            "tr": "Bugün hangi şikâyetle geldiniz?",
            "en": "What brings you in today?"
          },
          "max_length": 1000
        },
        {
          "link_id": "pain",
          "type": "integer",
          "text": {
            "tr": "Şu anda ağrınız varsa 0 (hiç) ile 10 (dayanılmaz) arasında puanlayın.",
            "en": "If you are in pain now, rate it from 0 (none) to 10 (unbearable)."
          },
          "min": 0,
          "max": 10
        },
        {
          "link_id": "last_visit",
          "type": "date",
          "text": {
            "tr": "En son ne zaman diş hekimine gittiniz? (yaklaşık bir tarih yeterli)",
            "en": "When did you last see a dentist? (an approximate date will do)"
          },
          "min": "1920-01-01"
        }
      ]
    },
    {
      "link_id": "health",
      "type": "group",
      "text": {
        "tr": "Sağlık durumunuz",
        "en": "Your health"
      },
      "items": [
        {
          "link_id": "conditions",
          "type": "multi_choice",
          "text": {
            "tr": "Aşağıdakilerden size uyanları işaretleyin.",
            "en": "Tick any of the following that apply to you."
          },
          "options": [
            {
              "value": "heart",
              "text": {
                "tr": "Kalp hastalığı (kapak hastalığı, stent, kalp pili, kalp krizi)",
                "en": "Heart disease (valve disease, stent, pacemaker, heart attack)"
              }
            },
            {
              "value": "blood_pressure",
              "text": {
                "tr": "Yüksek tansiyon",
                "en": "High blood pressure"
              }
            },
            {
              "value": "diabetes",
              "text": {
                "tr": "Şeker hastalığı (diyabet)",
                "en": "Diabetes"
              }
            },
            {
              "value": "bleeding",
              "text": {
                "tr": "Kanama ya da pıhtılaşma bozukluğu (ör. hemofili)",
                "en": "A bleeding or clotting disorder (e.g. haemophilia)"
              }
            },
            {
              "value": "lung",
              "text": {
                "tr": "Astım ya da başka bir akciğer hastalığı",
                "en": "Asthma or another lung disease"
              }
            },
            {
              "value": "epilepsy",
              "text": {
                "tr": "Epilepsi (sara)",
                "en": "Epilepsy"
              }
            },
            {
              "value": "liver",
              "text": {
                "tr": "Hepatit ya da başka bir karaciğer hastalığı",
                "en": "Hepatitis or another liver disease"
              }
            },
            {
              "value": "kidney",
              "text": {
                "tr": "Böbrek hastalığı",
                "en": "Kidney disease"
              }
            },
            {
              "value": "thyroid",
              "text": {
                "tr": "Tiroit hastalığı",
                "en": "Thyroid disease"
              }
            },
            {
              "value": "osteoporosis",
              "text": {
                "tr": "Kemik erimesi (osteoporoz)",
                "en": "Osteoporosis"
              }
            },
            {
              "value": "cancer",
              "text": {
                "tr": "Kanser, kemoterapi ya da baş-boyun bölgesine ışın tedavisi",
                "en": "Cancer, chemotherapy or radiotherapy to the head or neck"
              }
            },
            {
              "value": "immune",
              "text": {
                "tr": "Bağışıklık sistemi hastalığı (HIV dahil)",
                "en": "An immune system disease (including HIV)"
              }
            }
          ]
        },
        {
          "link_id": "heart_details",
          "type": "string",
          "text": {
            "tr": "Kalp rahatsızlığınızı kısaca yazın (ör. yapay kapak, 2019'da stent).",
            "en": "Describe your heart condition briefly (e.g. artificial valve, stent in 2019)."
          },
          "required": true,
          "enable_when": [
            {
              "question": "conditions",
              "operator": "=",
              "answer": "heart"
            }
          ]
        },
        {
          "link_id": "bleeding_details",
          "type": "string",
          "text": {
            "tr": "Kanama sorununuzun adı ve en son ne zaman ciddi bir kanama yaşadığınız:",
            "en": "The name of your bleeding disorder and when you last had a serious bleed:"
          },
          "required": true,
          "enable_when": [
            {
              "question": "conditions",
              "operator": "=",
              "answer": "bleeding"
            }
          ]
        },
        {
          "link_id": "other_conditions",
          "type": "text",
          "text": {
            "tr": "Yukarıda olmayan başka bir hastalığınız, geçirdiğiniz bir ameliyat ya da yattığınız bir hastane var mı?",
            "en": "Any other illness, operation or hospital stay not listed above?"
          },
          "max_length": 1000
        },
        {
          "link_id": "weight",
          "type": "decimal",
          "text": {
            "tr": "Kilonuz (kg). Bazı ilaçların dozu kiloya göre belirlenir.",
            "en": "Your weight (kg). Some medicines are dosed by weight."
          },
          "min": 2,
          "max": 350
        }
      ]
    },
    {
      "link_id": "medicines",
      "type": "boolean",
      "text": {
        "tr": "Düzenli kullandığınız bir ilaç var mı?",
        "en": "Do you take any medicines regularly?"
      },
      "required": true
    },
    {
      "link_id": "medicine_list",
      "type": "text",
      "text": {
        "tr": "Hangi ilaçları, hangi dozda kullanıyorsunuz?",
        "en": "Which medicines do you take, and at what dose?"
      },
      "required": true,
      "max_length": 1000,
      "enable_when": [
        {
          "question": "medicines",
          "operator": "=",
          "answer": true
        }
      ]
    },
    {
      "link_id": "blood_thinner",
      "type": "boolean",
      "text": {
        "tr": "Bunlardan biri kan sulandırıcı mı (ör. aspirin, varfarin, klopidogrel)?",
        "en": "Is one of them a blood thinner (e.g. aspirin, warfarin, clopidogrel)?"
      },
      "required": true,
      "enable_when": [
        {
          "question": "medicines",
          "operator": "=",
          "answer": true
        }
      ]
    },
    {
      "link_id": "bone_medicine",
      "type": "boolean",
      "text": {
        "tr": "Kemik erimesi ya da kanser için kemik ilacı (bifosfonat, denosumab) aldınız mı ya da alıyor musunuz?",
        "en": "Have you ever taken, or do you take, a bone medicine for osteoporosis or cancer (a bisphosphonate, denosumab)?"
      },
      "enable_when": [
        {
          "question": "medicines",
          "operator": "=",
          "answer": true
        },
        {
          "question": "conditions",
          "operator": "=",
          "answer": "osteoporosis"
        },
        {
          "question": "conditions",
          "operator": "=",
          "answer": "cancer"
        }
      ],
      "enable_behavior": "any"
    },
    {
      "link_id": "allergies",
      "type": "boolean",
      "text": {
        "tr": "Herhangi bir ilaca, maddeye ya da besine alerjiniz var mı?",
        "en": "Are you allergic to any medicine, material or food?"
      },
      "required": true
    },
    {
      "link_id": "allergy_kinds",
      "type": "multi_choice",
      "text": {
        "tr": "Nelere alerjiniz var?",
        "en": "What are you allergic to?"
      },
      "required": true,
      "enable_when": [
        {
          "question": "allergies",
          "operator": "=",
          "answer": true
        }
      ],
      "options": [
        {
          "value": "penicillin",
          "text": {
            "tr": "Penisilin",
            "en": "Penicillin"
          }
        },
        {
          "value": "antibiotic",
          "text": {
            "tr": "Başka bir antibiyotik",
            "en": "Another antibiotic"
          }
        },
        {
          "value": "anaesthetic",
          "text": {
            "tr": "Lokal anestezik (uyuşturucu iğne)",
            "en": "Local anaesthetic"
          }
        },
        {
          "value": "painkiller",
          "text": {
            "tr": "Aspirin ya da başka bir ağrı kesici",
            "en": "Aspirin or another painkiller"
          }
        },
        {
          "value": "latex",
          "text": {
            "tr": "Lateks (eldiven)",
            "en": "Latex (gloves)"
          }
        },
        {
          "value": "metal",
          "text": {
            "tr": "Metal (ör. nikel)",
            "en": "Metal (e.g. nickel)"
          }
        },
        {
          "value": "other",
          "text": {
            "tr": "Başka bir şey",
            "en": "Something else"
          }
        }
      ]
    },
    {
      "link_id": "allergy_other",
      "type": "string",
      "text": {
        "tr": "Alerjiniz neye ve nasıl bir tepki oluyor?",
        "en": "What else are you allergic to, and how do you react?"
      },
      "required": true,
      "enable_when": [
        {
          "question": "allergy_kinds",
          "operator": "=",
          "answer": "other"
        }
      ]
    },
    {
      "link_id": "anaesthesia_problem",
      "type": "boolean",
      "text": {
        "tr": "Daha önce diş tedavisinde uyuşturmayla ilgili bir sorun yaşadınız mı?",
        "en": "Have you ever had a problem with a local anaesthetic at the dentist?"
      }
    },
    {
      "link_id": "anaesthesia_details",
      "type": "string",
      "text": {
        "tr": "Ne oldu?",
        "en": "What happened?"
      },
      "required": true,
      "enable_when": [
        {
          "question": "anaesthesia_problem",
          "operator": "=",
          "answer": true
        }
      ]
    },
    {
      "link_id": "pregnancy_applies",
      "type": "boolean",
      "text": {
        "tr": "Hamilelik sizin için söz konusu olabilir mi?",
        "en": "Could pregnancy apply to you?"
      }
    },
    {
      "link_id": "pregnant",
      "type": "choice",
      "text": {
        "tr": "Şu anda hamile misiniz?",
        "en": "Are you pregnant at the moment?"
      },
      "required": true,
      "enable_when": [
        {
          "question": "pregnancy_applies",
          "operator": "=",
          "answer": true
        }
      ],
      "options": [
        {
          "value": "yes",
          "text": {
            "tr": "Evet",
            "en": "Yes"
          }
        },
        {
          "value": "no",
          "text": {
            "tr": "Hayır",
            "en": "No"
          }
        },
        {
          "value": "unsure",
          "text": {
            "tr": "Emin değilim",
            "en": "Not sure"
          }
        }
      ]
    },
    {
      "link_id": "pregnancy_week",
      "type": "integer",
      "text": {
        "tr": "Kaçıncı haftadasınız?",
        "en": "How many weeks pregnant are you?"
      },
      "min": 1,
      "max": 42,
      "enable_when": [
        {
          "question": "pregnant",
          "operator": "=",
          "answer": "yes"
        }
      ]
    },
    {
      "link_id": "breastfeeding",
      "type": "boolean",
      "text": {
        "tr": "Emziriyor musunuz?",
        "en": "Are you breastfeeding?"
      },
      "enable_when": [
        {
          "question": "pregnancy_applies",
          "operator": "=",
          "answer": true
        }
      ]
    },
    {
      "link_id": "smoking",
      "type": "choice",
      "text": {
        "tr": "Sigara ya da başka bir tütün ürünü kullanıyor musunuz?",
        "en": "Do you smoke or use other tobacco?"
      },
      "options": [
        {
          "value": "never",
          "text": {
            "tr": "Hiç kullanmadım",
            "en": "Never"
          }
        },
        {
          "value": "former",
          "text": {
            "tr": "Bıraktım",
            "en": "I used to"
          }
        },
        {
          "value": "current",
          "text": {
            "tr": "Kullanıyorum",
            "en": "I do"
          }
        }
      ]
    },
    {
      "link_id": "cigarettes",
      "type": "integer",
      "text": {
        "tr": "Günde kaç tane?",
        "en": "How many a day?"
      },
      "min": 1,
      "max": 100,
      "enable_when": [
        {
          "question": "smoking",
          "operator": "=",
          "answer": "current"
        }
      ]
    },
    {
      "link_id": "accurate",
      "type": "consent",
      "text": {
        "tr": "Bu formdaki bilgilerin bildiğim kadarıyla doğru ve eksiksiz olduğunu, sağlığımda ya da ilaçlarımda bir değişiklik olursa kliniğe haber vereceğimi onaylıyorum.",
        "en": "I confirm that the information in this form is true and complete as far as I know, and that I will tell the clinic if my health or my medicines change."
      }
    }
  ]
}$def$::jsonb),
('treatment_consent', 2, $def${
  "title": {
    "tr": "Tedavi onam formu",
    "en": "Treatment consent form"
  },
  "description": {
    "tr": "Size önerilen diş tedavisine bilgilendirilerek onay vermeniz için.",
    "en": "For you to agree, once informed, to the dental treatment proposed to you."
  },
  "items": [
    {
      "link_id": "about",
      "type": "display",
      "text": {
        "tr": "Diş hekiminiz size önerdiği tedaviyi, amacını, yaklaşık süresini ve ücretini, olası yan etkilerini ve alternatiflerini (hiç tedavi olmamak dahil) anlatmalıdır. Anlamadığınız bir şey varsa bu formu onaylamadan önce sorun.",
        "en": "Your dentist should explain the treatment proposed to you: its aim, how long it takes and what it costs, its possible side effects, and the alternatives (including no treatment). If anything is unclear, ask before you agree."
      }
    },
    {
      "link_id": "treatment",
      "type": "string",
      "text": {
        "tr": "Size anlatılan tedavi (ör. kanal tedavisi, 36 numaralı diş)",
        "en": "The treatment explained to you (e.g. root canal treatment, tooth 36)"
      },
      "required": true
    },
    {
      "link_id": "risks",
      "type": "display",
      "text": {
        "tr": "Her tedavinin riskleri vardır. Diş tedavisinden sonra ağrı, şişlik, morarma, hassasiyet, enfeksiyon ya da uyuşukluğun birkaç saatten uzun sürmesi görülebilir; nadiren ek bir tedavi gerekebilir. Hekiminizin önerilerine uymak bu riskleri azaltır.",
        "en": "Every treatment has risks. After dental treatment you may have pain, swelling, bruising, sensitivity, an infection, or numbness that lasts longer than a few hours; rarely, further treatment is needed. Following your dentist's advice lowers these risks."
      }
    },
    {
      "link_id": "informed",
      "type": "consent",
      "text": {
        "tr": "Tedavinin amacı, süresi, ücreti, olası riskleri ve alternatifleri bana anlaşılır biçimde anlatıldı.",
        "en": "The aim, length, cost, possible risks and alternatives of the treatment were explained to me in words I understood."
      }
    },
    {
      "link_id": "questions",
      "type": "consent",
      "text": {
        "tr": "Sorularımı sorma fırsatım oldu ve yanıtlarını aldım.",
        "en": "I had the chance to ask my questions and they were answered."
      }
    },
    {
      "link_id": "anaesthesia",
      "type": "consent",
      "text": {
        "tr": "Tedavi sırasında gerekirse lokal anestezi (uyuşturma) yapılmasını kabul ediyorum.",
        "en": "I agree to a local anaesthetic being given during the treatment if needed."
      }
    },
    {
      "link_id": "withdraw",
      "type": "consent",
      "text": {
        "tr": "Bu onayı tedavi başlamadan önce istediğim zaman geri alabileceğimi biliyorum.",
        "en": "I know I may withdraw this consent at any time before the treatment starts."
      }
    },
    {
      "link_id": "photos",
      "type": "boolean",
      "text": {
        "tr": "Tedavimin kaydı için ağız içi fotoğraf ve röntgen çekilmesine izin veriyorum.",
        "en": "I allow photographs and X-rays of my mouth to be taken for my treatment record."
      }
    },
    {
      "link_id": "representative",
      "type": "boolean",
      "text": {
        "tr": "Bu formu hastanın velisi ya da yasal temsilcisi olarak mı dolduruyorsunuz?",
        "en": "Are you filling in this form as the patient's parent or legal representative?"
      }
    },
    {
      "link_id": "relationship",
      "type": "string",
      "text": {
        "tr": "Hastaya yakınlığınız",
        "en": "Your relationship to the patient"
      },
      "required": true,
      "max_length": 100,
      "enable_when": [
        {
          "question": "representative",
          "operator": "=",
          "answer": true
        }
      ]
    },
    {
      "link_id": "full_name",
      "type": "string",
      "text": {
        "tr": "Adınız ve soyadınız",
        "en": "Your full name"
      },
      "required": true,
      "max_length": 120
    },
    {
      "link_id": "signed_on",
      "type": "date",
      "text": {
        "tr": "Tarih",
        "en": "Date"
      },
      "required": true,
      "min": "2020-01-01"
    }
  ]
}$def$::jsonb),
('kvkk_consent', 3, $def${
  "title": {
    "tr": "KVKK aydınlatma metni ve açık rıza",
    "en": "Personal data notice and explicit consent (KVKK)"
  },
  "description": {
    "tr": "6698 sayılı Kişisel Verilerin Korunması Kanunu kapsamında bilgilendirme ve onaylarınız.",
    "en": "Information and your consents under Turkish Law No. 6698 on the Protection of Personal Data (KVKK)."
  },
  "items": [
    {
      "link_id": "notice",
      "type": "display",
      "text": {
        "tr": "Kliniğimiz, veri sorumlusu olarak kimlik, iletişim, sağlık ve ödeme bilgilerinizi; muayene ve tedavinizi yürütmek, randevularınızı düzenlemek ve sağlık ile vergi mevzuatından doğan yükümlülüklerimizi yerine getirmek için işler. Bu bilgiler yalnızca bu amaçlar için ve gerektiği ölçüde yetkili kamu kurumları, Sosyal Güvenlik Kurumu, özel sağlık sigortanız ve tedaviniz için çalıştığımız laboratuvarlarla paylaşılır. Verileriniz mevzuatın öngördüğü süre boyunca saklanır.",
        "en": "As the data controller, our clinic processes your identity, contact, health and payment details to carry out your examination and treatment, to arrange your appointments, and to meet our duties under health and tax law. They are shared, only for these purposes and only as far as needed, with the competent public authorities, the Social Security Institution, your private health insurer and the dental laboratories that work on your treatment. Your data are kept for as long as the law requires."
      }
    },
    {
      "link_id": "rights",
      "type": "display",
      "text": {
        "tr": "Kanunun 11. maddesi uyarınca verilerinizin işlenip işlenmediğini öğrenme, bilgi isteme, yanlışsa düzeltilmesini, koşulları oluştuğunda silinmesini isteme ve işlemeye itiraz etme haklarınız vardır. Başvurunuzu kliniğimize yazılı olarak iletebilirsiniz.",
        "en": "Under Article 11 of the Law you have the right to learn whether your data are processed, to ask for information, to have wrong data corrected, to have data erased when the conditions are met, and to object to processing. You may send your request to our clinic in writing."
      }
    },
    {
      "link_id": "notice_read",
      "type": "consent",
      "text": {
        "tr": "Aydınlatma metnini okudum ve anladım.",
        "en": "I have read and understood this notice."
      }
    },
    {
      "link_id": "health_data",
      "type": "consent",
      "text": {
        "tr": "Sağlık verilerimin muayenem ve tedavim için kliniğimizce işlenmesine açık rıza veriyorum.",
        "en": "I give my explicit consent to the clinic processing my health data for my examination and treatment."
      }
    },
    {
      "link_id": "optional",
      "type": "display",
      "text": {
        "tr": "Aşağıdaki onaylar isteğe bağlıdır; vermemeniz tedavinizi etkilemez ve istediğiniz zaman geri alabilirsiniz.",
        "en": "The consents below are optional: not giving them does not affect your treatment, and you may withdraw them at any time."
      }
    },
    {
      "link_id": "education",
      "type": "boolean",
      "text": {
        "tr": "Tedavi öncesi ve sonrası fotoğraflarımın, kimliğim anlaşılmayacak biçimde bilimsel ve eğitim amaçlı kullanılmasına izin veriyorum.",
        "en": "I allow my before-and-after photographs to be used for science and teaching, in a way that does not identify me."
      }
    },
    {
      "link_id": "marketing",
      "type": "boolean",
      "text": {
        "tr": "Kampanya ve duyurulardan haberdar olmak istiyorum.",
        "en": "I would like to hear about offers and announcements."
      }
    },
    {
      "link_id": "channels",
      "type": "multi_choice",
      "text": {
        "tr": "Hangi yollarla?",
        "en": "By which means?"
      },
      "required": true,
      "enable_when": [
        {
          "question": "marketing",
          "operator": "=",
          "answer": true
        }
      ],
      "options": [
        {
          "value": "sms",
          "text": {
            "tr": "SMS",
            "en": "Text message"
          }
        },
        {
          "value": "email",
          "text": {
            "tr": "E-posta",
            "en": "Email"
          }
        },
        {
          "value": "phone",
          "text": {
            "tr": "Telefon araması",
            "en": "Phone call"
          }
        }
      ]
    },
    {
      "link_id": "full_name",
      "type": "string",
      "text": {
        "tr": "Adınız ve soyadınız",
        "en": "Your full name"
      },
      "required": true,
      "max_length": 120
    },
    {
      "link_id": "signed_on",
      "type": "date",
      "text": {
        "tr": "Tarih",
        "en": "Date"
      },
      "required": true,
      "min": "2020-01-01"
    }
  ]
}$def$::jsonb);
