-- CreateTable
CREATE TABLE "UsageSlot" (
    "userId" TEXT NOT NULL,
    "slotStart" TIMESTAMP(3) NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "requests" INTEGER NOT NULL DEFAULT 0,
    "promptTokens" INTEGER NOT NULL DEFAULT 0,
    "completionTokens" INTEGER NOT NULL DEFAULT 0,
    "cost" DOUBLE PRECISION NOT NULL DEFAULT 0,

    CONSTRAINT "UsageSlot_pkey" PRIMARY KEY ("userId","slotStart","provider","model")
);

-- AddForeignKey
ALTER TABLE "UsageSlot" ADD CONSTRAINT "UsageSlot_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Usage before this table existed: each UTC day's row as one slot at its 00:00 (UTC).
INSERT INTO "UsageSlot" ("userId", "slotStart", provider, model, requests, "promptTokens", "completionTokens", cost)
SELECT "userId", day::timestamp, provider, model, requests, "promptTokens", "completionTokens", cost
  FROM "UsageDaily";
